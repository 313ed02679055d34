import { createServer } from 'node:net';
import { Client } from 'pg';
import { waitFor } from '@snaptrack/util-testing';
import { conversion, newPixel, pixelEntity } from './factories';
import { startHarness, type Harness } from './harness';

/**
 * Decision 0003: a conversion is never targeted against a half-loaded configuration. At start the dispatcher waits
 * for the config view to catch up however long that takes: CONFIG_CATCHUP_TIMEOUT_MS only paces the warnings, /readyz
 * says 503 meanwhile, and no conversion is consumed. The view is held back by locking its table against writes (reads
 * still work, so a dispatcher that carried on would store the conversion and target it against an empty view).
 */
describe('start-up: conversions wait until the config view has caught up', () => {
  const acc = 'acc_catchup';
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    // Migrations run once; the next start is the one under test.
    await h.start();
    await h.stopApp();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function freePort(): Promise<number> {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const { port } = srv.address() as { port: number };
    await new Promise((r) => srv.close(r));
    return port;
  }

  async function readyz(port: number): Promise<{ status: number; body: { checks?: Record<string, boolean> } } | null> {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: res.status, body: (await res.json()) as { checks?: Record<string, boolean> } };
    } catch {
      return null;
    }
  }

  it(
    'past the catch-up timeout: not ready and nothing consumed; once caught up, the conversion ' + 'reaches the pixel',
    async () => {
      const p = newPixel();
      h.sandbox.registerPixel(p.pixelId, p.token);
      await h.publishConfig(
        pixelEntity({
          accountId: acc,
          pixelId: p.pixelId,
          token: p.token,
          placement: { kind: 'offer', offer_id: 'of_catchup' },
          mapping: { ct_lead: 'SIGN_UP' },
        }),
      );
      const c = conversion({ accountId: acc, channelId: 'tc_custom', offerId: 'of_catchup' });
      await h.publishConversions([c]);

      const locker = new Client({ connectionString: h.databaseUrl });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE config_entity IN EXCLUSIVE MODE');
      const port = await freePort();
      const catchUpTimeoutMs = 500;
      let started = false;
      const starting = h.start({ configCatchUpTimeoutMs: catchUpTimeoutMs, port }).then((app) => {
        started = true;
        return app;
      });
      try {
        await waitFor(async () => (await readyz(port))?.status === 503, {
          what: '/readyz to answer 503',
          timeoutMs: 20000,
        });
        // Well past the catch-up timeout (6x): still not ready, nothing consumed, nothing targeted.
        await new Promise((r) => setTimeout(r, 6 * catchUpTimeoutMs));
        const ready = await readyz(port);
        expect(ready?.status).toBe(503);
        expect(ready?.body.checks?.['config_view']).toBe(false);
        expect(started).toBe(false);
        expect(await h.query(`SELECT count(*)::int AS n FROM conversion`)).toEqual([{ n: 0 }]);
        expect(await h.ledger()).toEqual([]);
      } finally {
        await locker.query('COMMIT');
        await locker.end();
      }

      await starting;
      await h.waitForLedger('the conversion delivered to the pixel', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
      );
      expect(await h.ledger()).toHaveLength(1);
      expect((await readyz(port))?.status).toBe(200);
    },
  );
});
