import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `text` as a named prepared statement (node-postgres keeps it per connection): PostgreSQL parses and plans it
 * once per connection, later calls only bind and execute. For statements on a hot path whose planning is a large
 * part of their cost: the conversion write's CTE took 0.32 ms to plan and 0.44 ms to run for 3 rows.
 *
 * `on` is a DataSource or an EntityManager; inside a transaction the statement runs on the transaction's connection.
 * Errors are node-postgres errors (`code`, `constraint` as `pgCode`/`pgConstraint` read them), not TypeORM's
 * QueryFailedError, and TypeORM's query logging does not see these statements.
 */
export async function preparedQuery<T>(on: DataSource | EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const manager = 'manager' in on ? on.manager : on;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  const own = !manager.queryRunner;
  try {
    const client = (await runner.connect()) as PgClient;
    const res = await client.query({ name: statementName(text), text, values });
    return res.rows as T[];
  } finally {
    if (own) await runner.release();
  }
}

const names = new Map<string, string>();

/** One name per statement text (node-postgres refuses one name for two texts on a connection). */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `p_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}
