import type { Logger } from '@snaptrack/util-logger';
import { CredentialLimits } from '../credential-limits';
import { leaseDeadline, markDurably } from './claim';
import { DeliveryScheduler, type SchedulerLedger } from './scheduler';

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
};
const until = (cond: () => boolean) =>
  new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const t = setInterval(() => {
      if (cond()) {
        clearInterval(t);
        resolve();
      } else if (Date.now() - started > 3000) {
        clearInterval(t);
        reject(new Error('timed out'));
      }
    }, 5);
  });

/** An in-memory ledger of one target with `n` due rows; records what the scheduler asked of it. */
function fakeLedger(n: number, over: Partial<SchedulerLedger<{ id: string }>> = {}) {
  const calls: string[] = [];
  let rows = Array.from({ length: n }, (_, i) => ({ id: String(i + 1) }));
  const ledger: SchedulerLedger<{ id: string }> = {
    dueTargets: async () => (rows.length ? [{ scope: 'acc', target: 'px' }] : []),
    claim: async (_s, _t, limit, _i, _l, claimId) => {
      calls.push(`claim:${claimId.length > 0}`);
      const taken = rows.slice(0, limit);
      rows = rows.slice(limit);
      return { rows: taken };
    },
    release: async (_c, ids) => void calls.push(`release:${ids.join(',')}`),
    releaseClaim: async () => (calls.push('releaseClaim'), 0),
    activePauses: async () => new Map([['cred-1', Date.now() + 60_000]]),
    cleanupPauses: async () => undefined,
    ...over,
  };
  return { ledger, calls };
}

const options = (ledger: SchedulerLedger<{ id: string }>, deliver: () => Promise<void>, held = true) => ({
  ledger,
  limits: new CredentialLimits({ concurrencyPerCredential: 1 }),
  lock: { instanceNo: 1, held },
  log: quiet,
  maxWorkers: 2,
  claimLimit: 10,
  leaseMs: 30_000,
  pollMs: 20,
  lingerMs: 0,
  deliver,
});

describe('DeliveryScheduler with a fake ledger', () => {
  it('claims due rows and hands each claim to deliver; 429 pauses from the ledger reach the limits', async () => {
    const { ledger } = fakeLedger(25);
    const claims: number[] = [];
    const opts = options(ledger, async () => undefined);
    const s = new DeliveryScheduler({ ...opts, deliver: async (c) => void claims.push(c.rows.length) });
    s.start();
    await until(() => claims.reduce((a, b) => a + b, 0) === 25);
    await s.stop();
    expect(claims).toEqual([10, 10, 5]);
    expect(opts.limits.pausedFor('cred-1')).toBeGreaterThan(50_000);
  });

  it('freshClaim: the claim sets the deadline and a window, unless the lease would not outlast it', async () => {
    for (const [leaseMs, expected] of [
      [30_000, 1_000 + 17_000],
      [18_000, undefined],
    ] as const) {
      const deadlines: Array<number | undefined> = [];
      const { ledger } = fakeLedger(1);
      const claim = ledger.claim;
      ledger.claim = (...args) => (deadlines.push(args[6]), claim(...args));
      const windows: Array<number | undefined> = [];
      const opts = options(ledger, async () => undefined);
      const before = Date.now();
      const s = new DeliveryScheduler({
        ...opts,
        leaseMs,
        freshClaim: { windowMs: 1_000, requestDeadlineMs: 17_000 },
        deliver: async (c) => void windows.push(c.freshUntil),
      });
      s.start();
      await until(() => windows.length === 1);
      await s.stop();
      expect(deadlines.length).toBeGreaterThan(0);
      expect(new Set(deadlines)).toEqual(new Set([expected]));
      if (expected === undefined) expect(windows).toEqual([undefined]);
      else {
        expect(windows[0]).toBeGreaterThanOrEqual(before + 1_000);
        expect(windows[0]).toBeLessThanOrEqual(Date.now() + 1_000);
      }
    }
  });

  it('a claim whose answer is lost is handed back at once', async () => {
    const { ledger, calls } = fakeLedger(3, {
      claim: async () => {
        throw new Error('Connection terminated unexpectedly');
      },
    });
    const s = new DeliveryScheduler(options(ledger, async () => undefined));
    s.start();
    await until(() => calls.includes('releaseClaim'));
    await s.stop();
  });

  it('a failed worker hands back only the rows no request carried', async () => {
    const { ledger, calls } = fakeLedger(3);
    const s = new DeliveryScheduler({
      ...options(ledger, async () => undefined),
      deliver: async (claim) => {
        claim.sent.add('2');
        throw new Error('boom');
      },
    });
    s.start();
    await until(() => calls.some((c) => c.startsWith('release:')));
    await s.stop();
    expect(calls.find((c) => c.startsWith('release:'))).toBe('release:1,3');
  });

  it('claims nothing while the instance lock is not held', async () => {
    const { ledger, calls } = fakeLedger(3);
    const s = new DeliveryScheduler(options(ledger, async () => undefined, false));
    s.start();
    await new Promise((r) => setTimeout(r, 80));
    await s.stop();
    expect(calls).toEqual([]);
  });
});

describe('markDurably', () => {
  it('retries a failing write, and gives up at the rows’ lease end', async () => {
    const claim = { id: 'c1', leaseUntil: new Map([['1', Date.now() + 400]]) };
    let writes = 0;
    const run = markDurably(claim, [{ id: '1' }], {
      mark: async () => {
        writes++;
        throw new Error('db away');
      },
      log: quiet,
      network: 'Fake',
      stoppedAt: () => 0,
    });
    await expect(run).rejects.toThrow('db away');
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(Date.now()).toBeLessThanOrEqual(leaseDeadline(claim, [{ id: '1' }]) + 100);
  });
});

describe('DeliveryScheduler draining a backlog', () => {
  it('a claim of fullClaimRows rows is full, and so is the claim that follows it; smaller ones are not', async () => {
    const { ledger } = fakeLedger(13);
    const seen: Array<[number, boolean]> = [];
    const s = new DeliveryScheduler({
      ...options(ledger, async () => undefined),
      fullClaimRows: 4,
      deliver: async (c) => void seen.push([c.rows.length, c.full]),
    });
    s.start();
    await until(() => seen.reduce((a, [n]) => a + n, 0) === 13);
    await s.stop();
    expect(seen).toEqual([
      [10, true],
      [3, true],
    ]);

    const small = fakeLedger(3);
    const few: boolean[] = [];
    const t = new DeliveryScheduler({
      ...options(small.ledger, async () => undefined),
      fullClaimRows: 4,
      deliver: async (c) => void few.push(c.full),
    });
    t.start();
    await until(() => few.length === 1);
    await t.stop();
    expect(few).toEqual([false]);
  });

  it('with claimsInFlight 2, the next claim is taken while a full one is delivered, never a third', async () => {
    const { ledger } = fakeLedger(35);
    let active = 0;
    let most = 0;
    const claimed: number[] = [];
    const releases: Array<() => void> = [];
    const s = new DeliveryScheduler({
      ...options(ledger, async () => undefined),
      claimsInFlight: 2,
      deliver: async (c) => {
        claimed.push(c.rows.length);
        most = Math.max(most, ++active);
        await new Promise<void>((r) => releases.push(r));
        active--;
      },
    });
    s.start();
    await until(() => claimed.length === 2);
    // Both claims are being delivered at once; no third claim while they are.
    await new Promise((r) => setTimeout(r, 50));
    expect(claimed).toEqual([10, 10]);
    expect(active).toBe(2);
    const drain = setInterval(() => releases.splice(0).forEach((r) => r()), 5);
    await until(() => claimed.reduce((a, b) => a + b, 0) === 35 && active === 0);
    clearInterval(drain);
    await s.stop();
    expect(most).toBe(2);
    expect(claimed).toEqual([10, 10, 10, 5]);
  });

  it('a failed delivery stops the worker after the claims in flight; their unsent rows go back', async () => {
    const { ledger, calls } = fakeLedger(40);
    let n = 0;
    const s = new DeliveryScheduler({
      ...options(ledger, async () => undefined),
      claimsInFlight: 2,
      deliver: async (c) => {
        if (++n === 1) {
          c.sent.add(String(c.rows[0]!.id));
          throw new Error('boom');
        }
      },
    });
    s.start();
    await until(() => calls.some((c) => c.startsWith('release:')));
    await s.stop();
    expect(calls.find((c) => c.startsWith('release:'))).toBe('release:2,3,4,5,6,7,8,9,10');
  });
});
