import 'reflect-metadata';
import { onShutdown } from '@snaptrack/util-http';
import { ConfigError } from '@snaptrack/util-config';
import { loadAccountServiceConfig } from './config';
import { startServer } from './server';

async function main() {
  const app = await startServer(loadAccountServiceConfig());
  onShutdown(() => app.stop());
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `account-service failed to start: ${(e as Error).stack ?? e}`}\n`,
  );
  process.exit(1);
});
