import 'reflect-metadata';
import { ConfigError } from '@snaptrack/util-config';
import { migrateOnly } from '@snaptrack/util-db';
import { createLogger } from '@snaptrack/util-logger';
import { onShutdown } from '@snaptrack/util-http';
import { loadDispatcherConfig } from './config';
import { createDispatcherDataSource } from './data-source';
import { startDispatcher } from './dispatcher';

async function main() {
  const config = loadDispatcherConfig();
  if (config.migrateOnly) {
    // The deploy step (MIGRATE_ONLY=true): migrations only, then exit; instances then start with RUN_MIGRATIONS=false.
    const applied = await migrateOnly(createDispatcherDataSource(config.databaseUrl));
    createLogger('snapchat-capi-dispatcher', config.logLevel).info('migrations applied; exiting (MIGRATE_ONLY)', {
      applied,
    });
    return;
  }
  const startUp = new AbortController();
  const starting = startDispatcher(config, { signal: startUp.signal });
  // Registered before start-up finishes (joining a consumer group can take a session timeout after a crash, and the
  // config view may take long to catch up), so a SIGTERM during start-up still ends in an orderly stop.
  onShutdown(async () => {
    startUp.abort();
    await (await starting).stop();
  });
  await starting;
}

main().catch((e) => {
  process.stderr.write(
    `${
      e instanceof ConfigError ? e.message : `snapchat-capi-dispatcher failed to start: ${(e as Error).stack ?? e}`
    }\n`,
  );
  process.exit(1);
});
