import 'reflect-metadata';
import { createDataSource } from '@snaptrack/util-db';
import { Account } from './account/account.entity';
import { ApiKey } from './account/api-key.entity';
import { migrations } from './migrations';

export function createGatewayDataSource(url: string) {
  return createDataSource({ url, entities: [Account, ApiKey], migrations, applicationName: 'gateway' });
}
