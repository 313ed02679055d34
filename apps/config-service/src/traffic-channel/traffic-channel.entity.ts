import { Column, Entity } from 'typeorm';
import { AccountScopedEntity } from '../common/entity-base';

export interface ChannelParameter {
  name: string;
  value: string;
}

@Entity({ name: 'traffic_channel' })
export class TrafficChannelEntity extends AccountScopedEntity {
  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'template_key', type: 'text' })
  templateKey: string;

  /** The landing-URL parameter carrying the network's click id (ScCid for Snapchat). */
  @Column({ name: 'click_id_param', type: 'text', nullable: true })
  clickIdParam: string | null;

  @Column({ type: 'jsonb' })
  parameters: ChannelParameter[];
}
