import { Client } from 'pg';
import { TokenCipher } from '@snaptrack/util-crypto';
import { createLogger } from '@snaptrack/util-logger';
import { TEST_TOKEN_KEYS, captureLogs, waitFor } from '@snaptrack/util-testing';
import { ConfigViewService } from '../src/config-view/config-view.service';
import { startDispatcher, type RunningDispatcher } from '../src/dispatcher';
import { INSTANCE_LOCK_CLASS, type DeliveryService } from '../src/delivery/delivery.service';
import { Sender } from '../src/sender/sender';
import { SnapCapiClient } from '../src/snap-capi/client';
import { conversion, newPixel, pixelEntity } from './factories';
import { sandboxCounts, startHarness, type Harness } from './harness';

/**
 * Postgres trouble around a request: the instance lock's connection dying, the database unavailable while Snapchat
 * answers, a claim whose commit answer is lost. Only this suite's own database is made unavailable (ALLOW_CONNECTIONS
 * false + terminating its sessions), never the shared server. Snapchat must see each event once, the answer must be
 * recorded, and nothing may wait for a lease when it does not have to.
 */
describe('resilience: the database goes away while a request is in flight', () => {
  const acc = 'acc_resilience';
  const mapping = { ct_lead: 'SIGN_UP' };
  let h: Harness;
  let admin: Client;
  let dbName: string;
  let harnessPid: number;
  let logs: ReturnType<typeof captureLogs>;
  const extra: RunningDispatcher[] = [];

  async function pixelOnOwnOffer() {
    const p = newPixel();
    const offerId = `of_${p.pixelId.slice(0, 8)}`;
    h.sandbox.registerPixel(p.pixelId, p.token);
    await h.applyConfig(
      pixelEntity({
        accountId: acc,
        pixelId: p.pixelId,
        token: p.token,
        placement: { kind: 'offer', offer_id: offerId },
        mapping,
      }),
    );
    return { ...p, offerId };
  }
  const conv = (offerId: string) => conversion({ accountId: acc, channelId: 'tc_custom', offerId });

  /** The request is at the sandbox (its fault was taken), waiting to be answered. */
  const inFlight = () =>
    waitFor(() => h.sandbox.faults.list().length === 0, { what: 'the request to reach the sandbox', intervalMs: 10 });

  /** The sessions holding an instance's advisory lock. */
  async function lockPids(instanceNo: number): Promise<number[]> {
    const rows = await h.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = $2::oid AND
          objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY pid`,
      [INSTANCE_LOCK_CLASS, instanceNo],
    );
    return rows.map((r) => r.pid);
  }

  beforeAll(async () => {
    logs = captureLogs();
    h = await startHarness({
      config: { requestTimeoutMs: 12000, sendLeaseMs: 30000, rateLimitPerToken: 0, logLevel: 'warn' },
    });
    dbName = new URL(h.databaseUrl).pathname.slice(1);
    const adminUrl = new URL(h.databaseUrl);
    adminUrl.pathname = '/postgres';
    admin = new Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    harnessPid = (await h.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`))[0]!.pid;
    await h.start();
  });

  afterAll(async () => {
    await admin?.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    for (const d of extra) await d.stop().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await h?.close();
    logs?.restore();
  });

  it(
    'a dying instance-lock connection does not let a second instance resend the rows in flight; the ' +
      'lock is kept and taken back',
    async () => {
      const app = h.app!;
      const p = await pixelOnOwnOffer();
      h.sandbox.addFault({ pixel_id: p.pixelId, delay_ms: 8000 });
      const deliveredBefore = app.sender.stats.delivered;
      const c = conv(p.offerId);
      await h.publishConversions([c]);
      await inFlight();
      const [first] = await lockPids(app.instanceNo);
      expect(first).toBeDefined();

      // The connection holding the instance lock dies while the process lives…
      await h.query(`SELECT pg_terminate_backend($1)`, [first]);
      // …and a second instance in the same group and database starts at once; its sender runs while the row is in
      // flight.
      extra.push(await startDispatcher({ ...h.config }));
      await h.waitForLedger(
        'the slow delivery',
        (r) => r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
        30000,
      );
      // The first instance's own request has been answered (so the sandbox has processed it) before counting.
      await waitFor(() => app.sender.stats.delivered > deliveredBefore, {
        what: 'the first instance to get its answer',
        timeoutMs: 20000,
      });
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
      expect((await h.ledger('conversion_id = $1', [c.conversion_id]))[0]).toMatchObject({ attempts: 1 });
      await extra.pop()!.stop();

      // The lost session was replaced, under the same number.
      await waitFor(
        async () => {
          const pids = await lockPids(app.instanceNo);
          return pids.length === 2 && !pids.includes(first!);
        },
        { what: 'the lost lock session to be replaced', timeoutMs: 5000 },
      );
      // Even when every session is lost at once, the lock is taken back under the same number.
      const all = await lockPids(app.instanceNo);
      await h.query(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [all]);
      await waitFor(
        async () => {
          const pids = await lockPids(app.instanceNo);
          return app.lock.held && pids.length === 2 && pids.every((pid) => !all.includes(pid));
        },
        { what: 'the lock to be taken back', timeoutMs: 5000 },
      );
      expect(app.lock.instanceNo).toBe(app.instanceNo);
    },
  );

  it(
    'every instance-lock session lost while the process and Postgres live on: a second instance waits ' +
      'for the request in flight instead of resending it',
    async () => {
      const app = h.app!;
      const p = await pixelOnOwnOffer();
      h.sandbox.addFault({ pixel_id: p.pixelId, delay_ms: 4000 });
      const deliveredBefore = app.sender.stats.delivered;
      const c = conv(p.offerId);
      await h.publishConversions([c]);
      await inFlight();

      // The instance cannot take its lock back (its new lock sessions fail), while its other connections work: the
      // lock is gone for everybody else, yet the process lives and its request is still running.
      const realCreate = app.ds.createQueryRunner.bind(app.ds);
      let refuseRelock = true;
      app.ds.createQueryRunner = ((...args: Parameters<typeof realCreate>) => {
        const qr = realCreate(...args);
        const query = qr.query.bind(qr);
        qr.query = ((sql: string, ...rest: unknown[]) => {
          if (refuseRelock && sql.includes('pg_advisory_lock_shared'))
            return Promise.reject(new Error('lock session refused (test)'));
          return (query as (...a: unknown[]) => Promise<unknown>)(sql, ...rest);
        }) as typeof qr.query;
        return qr;
      }) as typeof app.ds.createQueryRunner;
      let second: RunningDispatcher | null = null;
      try {
        const all = await lockPids(app.instanceNo);
        expect(all).toHaveLength(2);
        await h.query(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [all]);
        await waitFor(async () => !app.lock.held && (await lockPids(app.instanceNo)).length === 0, {
          what: 'every session of the instance lock to be gone',
          timeoutMs: 5000,
          intervalMs: 10,
        });
        // A second instance starts while the row is in flight and its claimer's lock is gone.
        second = await startDispatcher({ ...h.config });
        extra.push(second);
        await h.waitForLedger(
          'the slow delivery',
          (r) => r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
          30000,
        );
        await waitFor(() => app.sender.stats.delivered > deliveredBefore, {
          what: 'the first instance to get its answer',
          timeoutMs: 20000,
        });
        // Let the second instance's sender poll a few more times after the answer was recorded.
        await new Promise((r) => setTimeout(r, 500));
        expect(app.lock.held).toBe(false);
        expect(second.sender.stats.requests).toBe(0);
        expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
        expect((await h.ledger('conversion_id = $1', [c.conversion_id]))[0]).toMatchObject({ attempts: 1 });
      } finally {
        refuseRelock = false;
        app.ds.createQueryRunner = realCreate;
        if (second) await extra.splice(extra.indexOf(second), 1)[0]!.stop();
      }
      await waitFor(() => app.lock.held, {
        what: 'the lock to be taken back once sessions are allowed',
        timeoutMs: 5000,
      });
    },
  );

  it(
    'Snapchat answers while Postgres is unavailable: the answer is recorded once it is back, nothing ' +
      'is sent twice, and work goes on',
    async () => {
      const app = h.app!;
      const p = await pixelOnOwnOffer();
      h.sandbox.addFault({ pixel_id: p.pixelId, delay_ms: 1500 });
      const c = conv(p.offerId);
      await h.publishConversions([c]);
      await inFlight();

      await admin.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS false`);
      const retrying = () => logs.lines.filter((l) => l.includes('recording Snapchat')).length;
      const retriesBefore = retrying();
      try {
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2`, [
          dbName,
          harnessPid,
        ]);
        // Snapchat stores the event and answers; writing the answer fails, and is retried.
        await waitFor(() => sandboxCounts(h.sandbox, p.pixelId).accepted === 1, {
          what: 'the event at the sandbox',
          timeoutMs: 10000,
        });
        // …or (without retries) the worker gives up on it.
        await waitFor(
          () => retrying() >= retriesBefore + 3 || logs.lines.some((l) => l.includes('sender worker failed')),
          {
            what: 'the answer to fail to be recorded while the database is away',
            timeoutMs: 10000,
          },
        );
        expect(app.lock.held).toBe(false);
      } finally {
        await admin.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS true`);
      }

      await h.waitForLedger(
        'the delivery recorded after the outage',
        (r) => r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
        30000,
      );
      expect((await h.ledger('conversion_id = $1', [c.conversion_id]))[0]).toMatchObject({
        attempts: 1,
        http_status: 200,
      });
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
      await waitFor(() => app.lock.held, { what: 'the instance lock to be taken back' });

      // Consuming and sending go on.
      const d = conv(p.offerId);
      await h.publishConversions([d]);
      await h.waitForLedger(
        'a conversion after the outage',
        (r) => r.some((x) => x.conversion_id === d.conversion_id && x.status === 'delivered'),
        60000,
      );
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 2, duplicates: 0 });
    },
  );

  it('a claim whose commit answer is lost is handed back at once, not after its lease', async () => {
    const app = h.app!;
    const p = await pixelOnOwnOffer();
    // The real claim commits in Postgres, then the connection "drops" before the answer is read.
    const real = app.service;
    let lose = true;
    const service: DeliveryService = Object.assign(Object.create(real) as DeliveryService, {
      claim: async (...args: Parameters<DeliveryService['claim']>) => {
        const r = await real.claim(...args);
        if (lose && r.rows.length) {
          lose = false;
          throw new Error('Connection terminated unexpectedly');
        }
        return r;
      },
    });
    await app.sender.stop();
    const log = createLogger('resilience-sender', 'error');
    const sender = new Sender({
      service,
      configView: new ConfigViewService(app.ds, log),
      client: new SnapCapiClient({ baseUrl: h.config.snapCapiBaseUrl, timeoutMs: h.config.requestTimeoutMs, log }),
      cipher: new TokenCipher(TEST_TOKEN_KEYS),
      log,
      config: h.config,
      lock: app.lock,
    });
    sender.start();
    try {
      const c = conv(p.offerId);
      const started = Date.now();
      await h.publishConversions([c]);
      // The lease is 30 s: delivered well before it would have run out.
      await h.waitForLedger(
        'delivery after the lost claim answer',
        (r) => r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
        15000,
      );
      expect(lose).toBe(false);
      expect(Date.now() - started).toBeLessThan(15000);
      expect((await h.ledger('conversion_id = $1', [c.conversion_id]))[0]).toMatchObject({ attempts: 1 });
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
    } finally {
      await sender.stop();
      app.sender.start();
    }
  });
});
