import 'reflect-metadata';
import { createDataSource } from '@snaptrack/util-db';
import { Account } from './account/account.entity';
import { ApiKey } from './account/api-key.entity';
import { migrations } from './migrations';

export function createAccountDataSource(url: string) {
  return createDataSource({ url, entities: [Account, ApiKey], migrations, applicationName: 'account-service' });
}
