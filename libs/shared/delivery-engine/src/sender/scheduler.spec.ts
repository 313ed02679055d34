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
