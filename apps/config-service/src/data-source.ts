import 'reflect-metadata';
import { createDataSource } from '@snaptrack/util-db';
import { OutboxMessage } from '@snaptrack/data-access-outbox';
import { migrations } from './migrations';

export const entities = [OutboxMessage];

export function createConfigDataSource(url: string) {
  return createDataSource({ url, entities, migrations, applicationName: 'config-service' });
}
