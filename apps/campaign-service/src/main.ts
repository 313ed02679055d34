import 'reflect-metadata';
import { onShutdown } from '@snaptrack/util-http';
import { ConfigError } from '@snaptrack/util-config';
import { loadCampaignServiceConfig } from './config';
import { startServer } from './server';

async function main() {
  const config = loadCampaignServiceConfig();
  const app = await startServer(config);
  onShutdown(() => app.stop());
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `campaign-service failed to start: ${(e as Error).stack ?? e}`}\n`,
  );
  process.exit(1);
});
