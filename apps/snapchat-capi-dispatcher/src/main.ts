import 'reflect-metadata';
import { ConfigError } from '@snaptrack/util-config';
import { onShutdown } from '@snaptrack/util-http';
import { loadDispatcherConfig } from './config';
import { startDispatcher } from './dispatcher';

async function main() {
  const config = loadDispatcherConfig();
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
    `${e instanceof ConfigError ? e.message : `snapchat-capi-dispatcher failed to start: ${(e as Error).stack ?? e}`}\n`,
  );
  process.exit(1);
});
