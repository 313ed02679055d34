import { Column, PrimaryColumn } from 'typeorm';

/** Columns every configuration row has. `version` grows by one on every change and is what config.entity.v1 carries. */
export abstract class AccountScopedEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3 })
  updatedAt: Date;

  @Column({ type: 'int' })
  version: number;
}

/** Fills id/account/timestamps/version for a new row. */
export function newRow<T extends AccountScopedEntity>(
  accountId: string,
  id: string,
  fields: Omit<T, keyof AccountScopedEntity>,
): T {
  const now = new Date();
  return { ...fields, id, accountId, createdAt: now, updatedAt: now, version: 1 } as T;
}

/** Marks a loaded row as changed: next version, new updated_at. */
export function touch<T extends AccountScopedEntity>(row: T): T {
  row.version += 1;
  row.updatedAt = new Date();
  return row;
}
