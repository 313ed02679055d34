import { Client } from 'pg';
import { PG_BASE_URL, waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';

interface Ready {
  status: number;
  body: { status: string; checks: Record<string, boolean>; not_ready?: string[] };
}

/** /readyz reflects the database: unreachable → 503 naming it, back → 200 (the answer is cached for ~1 s). */
describe('conversion-service readiness', () => {
  let app: TestConversionService;
  let admin: Client;
  let dbName: string;

  const readyz = async (): Promise<Ready> => {
    const res = await fetch(`${app.url}/readyz`);
    return { status: res.status, body: (await res.json()) as Ready['body'] };
  };

  beforeAll(async () => {
    app = await startTestConversionService();
    dbName = new URL(app.config.databaseUrl).pathname.slice(1);
    admin = new Client({ connectionString: PG_BASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await app?.stop().catch(() => undefined);
    await admin?.end();
    await app?.dropDb();
  });

  it('answers 503 naming the database while it cannot be reached, and 200 again once it can', async () => {
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: true, kafka: true, config_view: true } },
    });

    // Block new connections to the service's database and end the ones it holds.
    await admin.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS false`);
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [dbName],
    );
    const down = await waitFor(
      async () => {
        const r = await readyz();
        return r.status === 503 ? r : null;
      },
      { timeoutMs: 10000, what: '/readyz 503' },
    );
    expect(down.body).toEqual({
      status: 'not_ready',
      checks: { database: false, kafka: true, config_view: true },
      not_ready: ['database'],
    });

    await admin.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS true`);
    const up = await waitFor(
      async () => {
        const r = await readyz();
        return r.status === 200 ? r : null;
      },
      { timeoutMs: 15000, what: '/readyz 200 again' },
    );
    expect(up.body).toEqual({ status: 'ready', checks: { database: true, kafka: true, config_view: true } });
  });

  it('answers 503 shutting_down as soon as stop() begins', async () => {
    // stop() closes HTTP first, and close() drains readiness before it refuses new connections; the first answer
    // after it began must not be "ready". A probe racing it either gets 503 or no connection at all.
    const stopping = app.stop();
    const r = await readyz().catch(() => null);
    if (r) expect(r.body.not_ready).toContain('shutting_down');
    await stopping;
    await expect(fetch(`${app.url}/readyz`)).rejects.toThrow();
  });
});
