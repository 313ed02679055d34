import 'reflect-metadata';
import { buildWiredSchema, startSubgraphHttp, type RunningSubgraph } from '@snaptrack/util-federation';
import { createLogger } from '@snaptrack/util-logger';
import { createObservability } from '@snaptrack/util-observability';
import { dbReachable, openDatabase } from '@snaptrack/util-db';
import type { DataSource } from 'typeorm';
import type { AccountServiceConfig } from './config';
import { createAccountDataSource } from './data-source';
import { resolvers } from './schema';
import { AccountResolver, ViewerResolver } from './account/account.resolver';
import { AccountService } from './account/account.service';
import { authenticateRoute } from './account/authenticate.route';

export interface RunningAccountService extends RunningSubgraph {
  ds: DataSource;
  accounts: AccountService;
}

/**
 * Wires config → database → service → the accounts subgraph + POST /internal/authenticate on one port. Tests call
 * this in-process with port 0.
 */
export async function startServer(config: AccountServiceConfig): Promise<RunningAccountService> {
  const log = createLogger('account-service', config.logLevel);
  const obs = createObservability('account-service', config);
  const ds = await openDatabase(createAccountDataSource(config.databaseUrl), { migrate: config.runMigrations });
  const accounts = new AccountService(ds);
  const schema = await buildWiredSchema(
    'account-service',
    resolvers,
    new Map<Function, unknown>([
      [AccountResolver, new AccountResolver(accounts)],
      [ViewerResolver, new ViewerResolver(accounts)],
    ]),
  );
  const http = await startSubgraphHttp({
    schema,
    log,
    config,
    // The gateway signs `admin` for ADMIN_API_KEY; only this subgraph accepts it (adminCreateAccount).
    allowAdmin: true,
    routes: [
      authenticateRoute({
        accounts,
        internalAuthSecret: config.internalAuthSecret,
        adminApiKey: config.adminApiKey,
      }),
    ],
    probes: [{ name: 'database', check: () => dbReachable(ds) }],
    instrument: obs.http,
  });
  // lastUsedAt: one batched UPDATE per interval instead of one per key check.
  const flush = () =>
    accounts.flushLastUsed().catch((e: unknown) => log.warn('lastUsedAt flush failed', { err: e as Error }));
  const timer = setInterval(() => void flush(), config.lastUsedFlushMs);
  timer.unref();
  log.info('account-service listening', { url: http.url });
  return {
    url: http.url,
    port: http.port,
    ds,
    accounts,
    stop: async () => {
      clearInterval(timer);
      await http.close();
      await flush();
      await ds.destroy();
      log.info('account-service stopped');
    },
  };
}
