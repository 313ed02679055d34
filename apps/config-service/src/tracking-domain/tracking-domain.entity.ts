import { Column, Entity } from 'typeorm';
import { AccountScopedEntity } from '../common/entity-base';

@Entity({ name: 'tracking_domain' })
export class TrackingDomainEntity extends AccountScopedEntity {
  /** Lowercase, no trailing dot; unique per account. */
  @Column({ type: 'text' })
  hostname: string;

  @Column({ name: 'is_default', type: 'boolean' })
  isDefault: boolean;
}
