import 'reflect-metadata';
import { onShutdown } from '@snaptrack/util-http';
import { ConfigError } from '@snaptrack/util-config';
import { loadConfigServiceConfig } from './config';
import { startServer } from './server';

async function main() {
  const config = loadConfigServiceConfig();
  const app = await startServer(config);
  onShutdown(() => app.stop());
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `config-service failed to start: ${(e as Error).stack ?? e}`}\n`,
  );
  process.exit(1);
});
