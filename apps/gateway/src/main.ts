import 'reflect-metadata';
import { onShutdown } from '@snaptrack/util-http';
import { ConfigError } from '@snaptrack/util-config';
import { loadGatewayConfig } from './config';
import { startGateway } from './server';

async function main() {
  const app = await startGateway(loadGatewayConfig());
  onShutdown(() => app.stop());
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `gateway failed to start: ${(e as Error).stack ?? e}`}\n`,
  );
  process.exit(1);
});
