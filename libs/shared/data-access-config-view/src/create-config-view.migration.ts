import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CONFIG_VIEW_TABLE, configViewTableSql } from './postgres-store';

/**
 * Creates the default config view table (`config_view_entity`); list it in the migrations of a service whose
 * PostgresConfigViewStore uses the default table.
 */
export class CreateConfigView1797000000000 implements MigrationInterface {
  name = 'CreateConfigView1797000000000';
  async up(q: QueryRunner): Promise<void> {
    for (const sql of configViewTableSql(CONFIG_VIEW_TABLE)) await q.query(sql);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${CONFIG_VIEW_TABLE}`);
  }
}
