import 'reflect-metadata';
import { onShutdown } from '@snaptrack/util-http';
import { ConfigError } from '@snaptrack/util-config';
import { loadConversionServiceConfig } from './config';
import { startServer } from './server';

async function main() {
  const config = loadConversionServiceConfig();
  const app = await startServer(config);
  onShutdown(() => app.stop());
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `conversion-service failed to start: ${(e as Error).stack ?? e}`}\n`,
  );
  process.exit(1);
});
