import { openDatabase } from '@snaptrack/util-db';
import type { Logger } from '@snaptrack/util-logger';
import { createTestDatabase } from '@snaptrack/util-testing';
import type { DataSource } from 'typeorm';
import { ConfigViewService } from '../src/config-view/config-view.service';
import { createDispatcherDataSource } from '../src/data-source';
import { DeliveryService, type EventIdRule } from '../src/delivery/delivery.service';
import { pixelEntity, type PixelSpec } from './factories';

export interface LedgerDb {
  ds: DataSource;
  service: DeliveryService;
  /** The config view the service targets with (apply more pixels through it). */
  configView: ConfigViewService;
  close(): Promise<void>;
}

/**
 * A dispatcher database of its own (real PostgreSQL, migrations applied) with one pixel in the config view, and the
 * ledger's writer on it: no Kafka, no sender, for tests of what the ledger writes.
 */
export async function openLedgerDb(
  log: Logger,
  pixel: PixelSpec,
  opts: { topicPrefix: string; eventIdFor?: EventIdRule },
): Promise<LedgerDb> {
  const db = await createTestDatabase('dispatcher');
  const ds = await openDatabase(createDispatcherDataSource(db.url, 4));
  const configView = new ConfigViewService(ds, log);
  await configView.upsert([pixelEntity(pixel)]);
  const service = new DeliveryService(ds, configView, log, opts.topicPrefix, () => undefined, opts.eventIdFor);
  return {
    ds,
    service,
    configView,
    close: async () => {
      await ds.destroy();
      await db.drop();
    },
  };
}
