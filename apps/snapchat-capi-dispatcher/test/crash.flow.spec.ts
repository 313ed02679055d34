import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { TEST_TOKEN_KEYS, uniqueName, waitFor } from '@snaptrack/util-testing';
import { conversion, newPixel, pixelEntity } from './factories';
import { sandboxCounts, startHarness, type Harness } from './harness';

/**
 * The dispatcher as a separate process (built dist/main.js), fed 1,000 conversions for two pixels, killed with
 * SIGKILL in the middle of the run and started again. At the sandbox every (conversion, pixel) must be present, each
 * with one distinct event_id. An event whose request was in flight at the kill may be sent again with the same
 * event_id (Snap deduplicates it); the raw resend count is reported, and bounded by what was in flight.
 */
const REPO = path.resolve(__dirname, '../../..');
const MAIN = path.join(REPO, 'apps/snapchat-capi-dispatcher/dist/main.js');

describe('crash: SIGKILL in the middle of 1,000 conversions', () => {
  const acc = 'acc_crash';
  const channelPx = newPixel();
  const offerPx = newPixel();
  const mapping = { ct_lead: 'SIGN_UP' };
  let h: Harness;
  const output: string[] = [];
  let child: ChildProcess | null = null;
  const report: Record<string, number> = {};

  function spawnDispatcher(groupId: string): ChildProcess {
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      DATABASE_URL: h.databaseUrl,
      KAFKA_BROKERS: h.config.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: h.prefix,
      KAFKA_GROUP_ID: groupId,
      TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_KEYS,
      SNAP_CAPI_BASE_URL: h.sandbox.url,
      SNAP_MAX_EVENTS_PER_REQUEST: '20',
      SNAP_RATE_LIMIT_PER_TOKEN: '0',
      SNAP_REQUEST_TIMEOUT_MS: '5000',
      // Long lease: if the restarted instance had to wait for it, the test would time out. It must not: the killed
      // instance's advisory lock is gone with its connection, so its claims are free at once.
      SEND_LEASE_MS: '120000',
      RETRY_BASE_MS: '200',
      SENDER_POLL_MS: '100',
    };
    const p = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    p.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    return p;
  }

  beforeAll(async () => {
    execFileSync(path.join(REPO, 'node_modules/.bin/tsc'), ['-b', 'apps/snapchat-capi-dispatcher'], {
      cwd: REPO,
      stdio: 'inherit',
    });
    h = await startHarness();
    h.sandbox.registerPixel(channelPx.pixelId, channelPx.token);
    h.sandbox.registerPixel(offerPx.pixelId, offerPx.token);
    // Every request takes 40 ms, so the run lasts long enough to be killed in the middle.
    h.sandbox.addFault({ delay_ms: 40, count: 100000 });
    await h.publishConfig(
      pixelEntity({
        accountId: acc,
        pixelId: channelPx.pixelId,
        token: channelPx.token,
        placement: { kind: 'channel', traffic_channel_id: 'tc_snap' },
        mapping,
      }),
      pixelEntity({
        accountId: acc,
        pixelId: offerPx.pixelId,
        token: offerPx.token,
        placement: { kind: 'offer', offer_id: 'of_crash' },
        mapping,
      }),
    );
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (Object.keys(report).length) process.stdout.write(`crash test report: ${JSON.stringify(report)}\n`);
    await h?.close();
  });

  it('delivers every (conversion, pixel) after a SIGKILL and restart, none lost, none twice by event_id', async () => {
    const groupId = uniqueName('crash');
    const convs = Array.from({ length: 1000 }, () =>
      conversion({ accountId: acc, channelId: 'tc_snap', offerId: 'of_crash' }),
    );
    child = spawnDispatcher(groupId);
    // Conversions keep arriving while the dispatcher works: each batch of 50 waits until Snapchat has the events of
    // the batch before the previous one. The kill comes at 400 events; what is left is published while it is down.
    let published = 0;
    for (let k = 0; published < convs.length && sandboxCounts(h.sandbox).accepted < 400; k++) {
      await waitFor(() => sandboxCounts(h.sandbox).accepted >= Math.max(0, k - 2) * 100, {
        what: `events of batch ${k - 2}`,
        timeoutMs: 60000,
        intervalMs: 5,
      });
      if (sandboxCounts(h.sandbox).accepted >= 400) break;
      await h.publishConversions(convs.slice(published, published + 50));
      published += 50;
    }
    await waitFor(() => sandboxCounts(h.sandbox).accepted >= 400, {
      what: '400 events at the sandbox',
      timeoutMs: 60000,
      intervalMs: 5,
    });
    child.kill('SIGKILL');
    await new Promise<void>((r) =>
      child!.exitCode !== null || child!.signalCode !== null ? r() : child!.once('exit', () => r()),
    );
    await h.publishConversions(convs.slice(published));
    const atKill = sandboxCounts(h.sandbox);
    const ledgerAtKill = await h.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM delivery GROUP BY status`,
    );
    const inFlight = ledgerAtKill.find((r) => r.status === 'sending')?.n ?? 0;
    report.acceptedAtKill = atKill.accepted;
    report.sendingAtKill = inFlight;
    report.ledgerRowsAtKill = ledgerAtKill.reduce((a, r) => a + r.n, 0);
    expect(atKill.distinct).toBeLessThan(2000); // the kill really happened mid-run
    expect(report.ledgerRowsAtKill).toBeLessThan(2000); // …and before every conversion was consumed

    const restartedAt = Date.now();
    child = spawnDispatcher(groupId);
    const rows = await h.waitForLedger(
      'all 2,000 deliveries',
      (r) => r.length === 2000 && r.every((x) => x.status === 'delivered'),
      60000,
    );
    report.secondsToFinishAfterRestart = Math.round((Date.now() - restartedAt) / 1000);

    // The ledger: exactly one row per (conversion, pixel), all delivered.
    const expected = new Set(
      convs.flatMap((c) => [`${c.conversion_id}|${channelPx.pixelId}`, `${c.conversion_id}|${offerPx.pixelId}`]),
    );
    expect(new Set(rows.map((r) => `${r.conversion_id}|${r.pixel_id}`))).toEqual(expected);

    // The sandbox: every (pixel, event_id) present, nothing else.
    const at = sandboxCounts(h.sandbox);
    const wanted = new Set(
      convs.flatMap((c) => [`${channelPx.pixelId}|${c.event_id}`, `${offerPx.pixelId}|${c.event_id}`]),
    );
    expect(new Set(at.events.map((e) => `${e.pixel_id}|${e.event_id}`))).toEqual(wanted);
    expect(at.distinct).toBe(2000);
    report.acceptedTotal = at.accepted;
    report.rawResends = at.duplicates;
    // Only what was in flight at the kill can have been resent (same event_id, deduplicated by Snap).
    expect(at.duplicates).toBeLessThanOrEqual(inFlight);

    // No token in any line either process wrote.
    const text = output.join('');
    expect(text).toContain('snapchat-capi-dispatcher listening');
    expect(text).not.toContain(channelPx.token);
    expect(text).not.toContain(offerPx.token);
    expect(text).not.toMatch(/access_token=(?!\[redacted\])/);

    child.kill('SIGTERM');
    await new Promise<void>((r) => (child!.exitCode !== null ? r() : child!.once('exit', () => r())));
    expect(child.exitCode).toBe(0);
  });
});
