/**
 * Pure retry schedule. Delay before attempt n+1 (n = attempts made so far, ≥ 1): base × 4^(n-1), at most maxDelay,
 * with "equal jitter" (a random point in the upper half), so instances do not retry in lock-step. With the defaults
 * (30 s base, 2 h max, 4 h horizon) that is ≈ 30 s, 2 min, 8 min, 32 min, 2 h, then one last try at the horizon.
 */
export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  horizonMs: number;
}

export function backoffDelay(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, attempts);
  const raw = Math.min(policy.maxDelayMs, policy.baseMs * 4 ** Math.min(n - 1, 20));
  return Math.round(raw / 2 + (random() * raw) / 2);
}

/**
 * When to try again, or null when the horizon is spent (the delivery is then `failed`). `minDelayMs` is Snap's
 * Retry-After, honoured but never beyond the horizon; the last try happens at the horizon itself.
 */
export function nextAttemptAt(
  opts: { attempts: number; cycleStartedAt: Date; now: Date; minDelayMs?: number | null },
  policy: RetryPolicy,
  random: () => number = Math.random,
): Date | null {
  const horizonEnd = opts.cycleStartedAt.getTime() + policy.horizonMs;
  const now = opts.now.getTime();
  if (now >= horizonEnd) return null;
  const delay = Math.max(backoffDelay(opts.attempts, policy, random), opts.minDelayMs ?? 0);
  return new Date(Math.min(now + delay, horizonEnd));
}

/**
 * Snap's age limit (37 days from the conversion time) caps the schedule too: a retry is never planned later than
 * `expiresAt - AGE_LIMIT_MARGIN_MS`, so the last attempt still reaches Snap in time, and once no attempt fits any
 * more the delivery ends `too_old` instead of being sent (or failing later as Snapchat's "out of range").
 */
export const AGE_LIMIT_MARGIN_MS = 60_000;

export type RetryPlan = { retryAt: Date } | { giveUp: 'horizon' | 'too_old' };

export function planRetry(
  opts: { attempts: number; cycleStartedAt: Date; now: Date; minDelayMs?: number | null; expiresAt?: Date | null },
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryPlan {
  const lastUseful = opts.expiresAt ? opts.expiresAt.getTime() - AGE_LIMIT_MARGIN_MS : Infinity;
  if (opts.now.getTime() >= lastUseful) return { giveUp: 'too_old' };
  const next = nextAttemptAt(opts, policy, random);
  if (next === null) return { giveUp: 'horizon' };
  if (next.getTime() <= lastUseful) return { retryAt: next };
  // The backoff (or Retry-After) would end after the age limit: one last try just before it, unless a Retry-After
  // forbids that, in which case the event can no longer be delivered.
  if (opts.now.getTime() + (opts.minDelayMs ?? 0) > lastUseful) return { giveUp: 'too_old' };
  return { retryAt: new Date(lastUseful) };
}
