import 'reflect-metadata';
import { createDataSource } from '@snaptrack/util-db';
import { OutboxMessage } from '@snaptrack/data-access-outbox';
import { ConfigEntityRow } from './config-view/config-entity.entity';
import { ConversionRow } from './conversion/conversion.entity';
import { DeliveryRow, TokenPauseRow } from './delivery/delivery.entity';
import { migrations } from './migrations';

export const entities = [OutboxMessage, ConfigEntityRow, ConversionRow, DeliveryRow, TokenPauseRow];

/** One DataSource for the app and the TypeORM CLI; schema changes only through migrations. */
export function createDispatcherDataSource(url: string, poolSize = 20) {
  return createDataSource({ url, entities, migrations, poolSize, applicationName: 'snapchat-capi-dispatcher' });
}
