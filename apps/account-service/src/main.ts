import 'reflect-metadata';
import { onShutdown } from '@snaptrack/util-http';
import { ConfigError } from '@snaptrack/util-config';
import { migrateOnly } from '@snaptrack/util-db';
import { createLogger } from '@snaptrack/util-logger';
import { loadAccountServiceConfig } from './config';
import { createAccountDataSource } from './data-source';
import { startServer } from './server';

async function main() {
  const config = loadAccountServiceConfig();
  if (config.migrateOnly) {
    // The deploy step (MIGRATE_ONLY=true): migrations only, then exit; instances then start with RUN_MIGRATIONS=false.
    const applied = await migrateOnly(createAccountDataSource(config.databaseUrl));
    createLogger('account-service', config.logLevel).info('migrations applied; exiting (MIGRATE_ONLY)', { applied });
    return;
  }
  const app = await startServer(config);
  onShutdown(() => app.stop());
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `account-service failed to start: ${(e as Error).stack ?? e}`}\n`,
  );
  process.exit(1);
});
