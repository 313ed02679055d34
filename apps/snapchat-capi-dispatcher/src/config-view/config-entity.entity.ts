import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * This service's own view of config.entity.v1 (latest version per entity). Pixels (placements, encrypted tokens,
 * mappings), offers and offer sources are read from here; never from config-service's database.
 */
@Entity({ name: 'config_entity' })
export class ConfigEntityRow {
  /** `<entity_type>:<id>` (the shared row shape of @snaptrack/data-access-config-view). */
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType: string;

  @Column({ name: 'entity_id', type: 'text' })
  id: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId: string;

  @Column({ type: 'bigint' })
  version: string;

  @Column({ type: 'boolean' })
  deleted: boolean;

  @Column({ type: 'jsonb', nullable: true })
  data: unknown;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** `updated_at` of the first version this view applied (a new entity's creation), kept by later versions. */
  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}
