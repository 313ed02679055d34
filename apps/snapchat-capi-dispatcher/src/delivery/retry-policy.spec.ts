import { AGE_LIMIT_MARGIN_MS, backoffDelay, nextAttemptAt, planRetry, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { baseMs: 30_000, maxDelayMs: 2 * 3600_000, horizonMs: 4 * 3600_000 };

describe('retry policy', () => {
  it('grows 4x per attempt with jitter in the upper half, capped', () => {
    const top = () => 1;
    const bottom = () => 0;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, top))).toEqual([
      30_000, 120_000, 480_000, 1_920_000, 7_200_000, 7_200_000,
    ]);
    expect(backoffDelay(1, policy, bottom)).toBe(15_000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, policy);
      expect(d).toBeGreaterThanOrEqual(240_000);
      expect(d).toBeLessThanOrEqual(480_000);
    }
  });

  it('schedules within the horizon, tries once more at the horizon, then gives up', () => {
    const start = new Date('2024-01-01T00:00:00Z');
    const at = (ms: number) => new Date(start.getTime() + ms);
    expect(nextAttemptAt({ attempts: 1, cycleStartedAt: start, now: at(0) }, policy, () => 1)).toEqual(at(30_000));
    // Near the end the next try is at the horizon itself.
    expect(nextAttemptAt({ attempts: 5, cycleStartedAt: start, now: at(3.5 * 3600_000) }, policy, () => 1)).toEqual(
      at(4 * 3600_000),
    );
    expect(nextAttemptAt({ attempts: 6, cycleStartedAt: start, now: at(4 * 3600_000) }, policy)).toBeNull();
  });

  it('honours a Retry-After longer than the backoff', () => {
    const start = new Date('2024-01-01T00:00:00Z');
    expect(
      nextAttemptAt({ attempts: 1, cycleStartedAt: start, now: start, minDelayMs: 90_000 }, policy, () => 1),
    ).toEqual(new Date(start.getTime() + 90_000));
  });

  describe("planRetry: the retry horizon and Snap's 37-day age limit", () => {
    const start = new Date('2024-01-01T00:00:00Z');
    const at = (ms: number) => new Date(start.getTime() + ms);

    it('plans like nextAttemptAt while the event is far from the age limit', () => {
      expect(
        planRetry({ attempts: 1, cycleStartedAt: start, now: start, expiresAt: at(10 * 86_400_000) }, policy, () => 1),
      ).toEqual({ retryAt: at(30_000) });
      expect(
        planRetry(
          { attempts: 6, cycleStartedAt: start, now: at(4 * 3600_000), expiresAt: at(10 * 86_400_000) },
          policy,
        ),
      ).toEqual({ giveUp: 'horizon' });
    });

    it('never plans an attempt after the age limit: the last one is just before it', () => {
      const expiresAt = at(20 * 60_000);
      expect(planRetry({ attempts: 4, cycleStartedAt: start, now: start, expiresAt }, policy, () => 1)).toEqual({
        retryAt: at(20 * 60_000 - AGE_LIMIT_MARGIN_MS),
      });
    });

    it('gives up as too_old when no attempt fits before the age limit', () => {
      const expiresAt = at(30_000);
      expect(planRetry({ attempts: 1, cycleStartedAt: start, now: start, expiresAt }, policy)).toEqual({
        giveUp: 'too_old',
      });
      // A Retry-After that ends after the age limit forbids the last try.
      expect(
        planRetry(
          { attempts: 1, cycleStartedAt: start, now: start, minDelayMs: 10 * 60_000, expiresAt: at(5 * 60_000) },
          policy,
        ),
      ).toEqual({ giveUp: 'too_old' });
    });
  });
});
