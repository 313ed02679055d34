import 'reflect-metadata';
import { ConfigError } from '@snaptrack/util-config';
import { onShutdown } from '@snaptrack/util-http';
import { loadDispatcherConfig } from './config';
import { startDispatcher } from './dispatcher';

async function main() {
  const config = loadDispatcherConfig();
  const app = await startDispatcher(config);
  onShutdown(() => app.stop());
}

main().catch((e) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : `snapchat-capi-dispatcher failed to start: ${(e as Error).stack ?? e}`}\n`);
  process.exit(1);
});
