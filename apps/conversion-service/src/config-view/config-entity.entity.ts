import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Latest known state of one configuration entity (view of config.entity.v1), keyed `<entity_type>:<id>`.
 * A deleted entity keeps its row (deleted = true) so an older version arriving late cannot resurrect it.
 */
@Entity({ name: 'config_entity' })
export class ConfigEntity {
  @PrimaryColumn({ name: 'key', type: 'text' }) key: string;
  @Column({ name: 'entity_type', type: 'text' }) entityType: string;
  @Column({ name: 'entity_id', type: 'text' }) entityId: string;
  @Column({ name: 'account_id', type: 'text' }) accountId: string;
  @Column({ name: 'version', type: 'bigint' }) version: string;
  @Column({ name: 'deleted', type: 'boolean' }) deleted: boolean;
  @Column({ name: 'data', type: 'jsonb', nullable: true }) data: Record<string, unknown> | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
