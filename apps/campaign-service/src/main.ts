import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { onShutdown } from '@snaptrack/util-http';
import { ConfigError } from '@snaptrack/util-config';
import { migrateOnly } from '@snaptrack/util-db';
import { createLogger, type Logger } from '@snaptrack/util-logger';
import { loadCampaignServiceConfig } from './config';
import { createCampaignDataSource } from './data-source';
import { startServer } from './server';

/** Most worker restarts within RESTART_WINDOW_MS before the primary gives up (and exits 1 for its supervisor). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * CAMPAIGN_WORKERS > 1: this primary forks that many workers sharing the port (node:cluster) and does no work itself.
 * Each worker is a full instance (as several instances behind a load balancer would be). The first one starts alone,
 * so migrations and topic creation run once, then the others start. A worker that dies is replaced; SIGTERM/SIGINT
 * stop every worker and wait for them.
 */
async function supervise(workers: number, log: Logger): Promise<void> {
  let stopping = false;
  let started = false;
  const restarts: number[] = [];
  const fork = () =>
    new Promise<Worker>((resolve, reject) => {
      const w = cluster.fork();
      const onExit = (code: number | null) => reject(new Error(`worker ${w.id} exited (${code}) before it was ready`));
      w.once('exit', onExit);
      w.on('message', (m: unknown) => {
        if ((m as { ready?: boolean })?.ready !== true) return;
        w.off('exit', onExit);
        resolve(w);
      });
    });
  cluster.on('exit', (w, code, signal) => {
    if (stopping || !started) return; // a worker failing its first start fails the whole start
    log.error('campaign-service worker exited; starting another', { worker: w.id, code, signal });
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      log.error('campaign-service workers keep exiting; giving up', { restarts: restarts.length });
      process.exit(1);
    }
    fork().catch((e) => log.error('a replacement worker failed to start', { err: e }));
  });
  onShutdown(async () => {
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    await Promise.all(
      alive.map((w) => new Promise<void>((resolve) => (w.once('exit', () => resolve()), w.process.kill('SIGTERM')))),
    );
  });
  await fork();
  await Promise.all(Array.from({ length: workers - 1 }, fork));
  started = true;
  log.info('campaign-service workers ready', { workers });
}

async function main() {
  const config = loadCampaignServiceConfig();
  if (config.migrateOnly) {
    // The deploy step (MIGRATE_ONLY=true): migrations only, then exit; instances then start with RUN_MIGRATIONS=false.
    const applied = await migrateOnly(createCampaignDataSource(config.databaseUrl));
    createLogger('campaign-service', config.logLevel).info('migrations applied; exiting (MIGRATE_ONLY)', { applied });
    return;
  }
  if (config.campaignWorkers > 1 && cluster.isPrimary) {
    await supervise(config.campaignWorkers, createLogger('campaign-service', config.logLevel));
    return;
  }
  const app = await startServer(config);
  onShutdown(() => app.stop());
  if (cluster.isWorker) process.send?.({ ready: true });
}

main().catch((e) => {
  process.stderr.write(
    `${e instanceof ConfigError ? e.message : `campaign-service failed to start: ${(e as Error).stack ?? e}`}\n`,
  );
  process.exit(1);
});
