import 'reflect-metadata';
import { createDataSource } from '@snaptrack/util-db';
import { OutboxMessage } from '@snaptrack/data-access-outbox';
import { ClickView } from './click/click.entity';
import { ConfigEntity } from './config-view/config-entity.entity';
import { Conversion } from './conversion/conversion.entity';
import { PendingPostback } from './postback/pending-postback.entity';
import { Delivery } from './delivery/delivery.entity';
import { DeliveryCommandRecord, DeliveryCommandResult } from './delivery/delivery-command.entity';
import { migrations } from './migrations';

export const entities = [
  OutboxMessage,
  ClickView,
  ConfigEntity,
  Conversion,
  PendingPostback,
  Delivery,
  DeliveryCommandRecord,
  DeliveryCommandResult,
];

export function createConversionDataSource(url: string, poolSize?: number) {
  return createDataSource({ url, entities, migrations, poolSize, applicationName: 'conversion-service' });
}
