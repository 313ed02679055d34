import { Column, Entity } from 'typeorm';
import { AccountScopedEntity } from '../common/entity-base';

@Entity({ name: 'offer' })
export class OfferEntity extends AccountScopedEntity {
  @Column({ type: 'text' })
  name: string;

  /** Absolute http(s) URL containing the {clickid} macro. */
  @Column({ type: 'text' })
  url: string;

  @Column({ name: 'offer_source_id', type: 'uuid' })
  offerSourceId: string;
}
