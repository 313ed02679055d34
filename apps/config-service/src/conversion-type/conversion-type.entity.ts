import { Column, Entity } from 'typeorm';
import { AccountScopedEntity } from '../common/entity-base';

export type DuplicatePolicyValue = 'create' | 'ignore_same_click' | 'ignore_same_event_id';

@Entity({ name: 'conversion_type' })
export class ConversionTypeEntity extends AccountScopedEntity {
  /** Case-sensitive; a postback's `type` must match it exactly. Unique per account. */
  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'duplicate_policy', type: 'text' })
  duplicatePolicy: DuplicatePolicyValue;

  @Column({ name: 'is_default', type: 'boolean' })
  isDefault: boolean;
}
