import { randomUUID } from 'node:crypto';
import type { Logger } from '@snaptrack/util-logger';
import type { CredentialLimits } from '../credential-limits';
import type { DueTarget } from '../ledger/ledger';
import type { Claim } from './claim';

/** The ledger calls the scheduler makes (a LedgerPort, or an app service that wraps one). */
export interface SchedulerLedger<R> {
  dueTargets(): Promise<DueTarget[]>;
  claim(
    scope: string,
    target: string,
    limit: number,
    instanceNo: number,
    leaseMs: number,
    claimId: string,
    requestDeadlineMs?: number,
  ): Promise<{ rows: R[] }>;
  release(claimId: string, ids: string[], until: Date): Promise<void>;
  releaseClaim(claimId: string): Promise<number>;
  activePauses(): Promise<Map<string, number>>;
  cleanupPauses(): Promise<void>;
}

export interface SchedulerOptions<R extends { id: string }> {
  ledger: SchedulerLedger<R>;
  /** The engine's limits: 429 pauses other instances recorded are applied to them on every pass. */
  limits: CredentialLimits;
  /** The instance lock: nothing is claimed while it is not held. */
  lock: { readonly instanceNo: number; readonly held: boolean };
  log: Logger;
  /** Targets worked on at once. */
  maxWorkers: number;
  /** Rows per claim. */
  claimLimit: number;
  /**
   * A claim of at least this many rows counts as full (default `claimLimit`): a backlog is being drained, so its
   * requests are full-sized (e.g. the destination's events per request). A claim that follows a full one of the same
   * worker counts as full too: rows kept coming while the previous one was taken.
   */
  fullClaimRows?: number;
  /**
   * Claims of one target delivered at once (default 1). With 2, the next claim is taken while a full one is being
   * sent, so claiming and marking overlap the requests; the claims are disjoint (SKIP LOCKED, `sending` rows are not
   * due until their lease ends). Only a full claim is followed by another before it is delivered.
   */
  claimsInFlight?: number;
  leaseMs: number;
  /**
   * Lets a request that starts within `windowMs` of its claim go without a lease refresh: the claim itself sets the
   * rows' `request_deadline` to `windowMs + requestDeadlineMs` from then (`requestDeadlineMs`: the request timeout
   * plus a margin, as for `refreshLease`), which covers any such request. Used only when the lease outlasts that
   * deadline. The price: rows of a claimer that died before sending them wait for that deadline instead of being
   * free at once.
   */
  freshClaim?: { windowMs: number; requestDeadlineMs: number };
  /** Look for due work this often when nothing wakes the scheduler; `wake()` looks after `lingerMs`. */
  pollMs: number;
  lingerMs: number;
  /** Delivers one claim (every request answered and recorded before it resolves). */
  deliver(claim: Claim<R>, target: DueTarget): Promise<void>;
}

/**
 * The sender loop, destination-neutral: finds targets with due rows, gives each one its own worker (a few claims,
 * then the next pass picks targets again by how long their work has waited, so a constant stream never keeps a
 * worker from the others), claims rows under a lease and hands each claim to `deliver`. A claim whose commit answer
 * was lost is handed back at once; rows a failed worker never put into a request go back at once, the others wait
 * for their lease (then are sent again with the same event id).
 */
export class DeliveryScheduler<R extends { id: string }> {
  private timer: NodeJS.Timeout | null = null;
  private nextAt = Infinity;
  private current: Promise<void> = Promise.resolve();
  private running = false;
  private again = false;
  private stopped = true;
  private stoppedAtMs = 0;
  private readonly busy = new Set<string>();
  private readonly workers = new Set<Promise<void>>();
  private lastCleanup = 0;
  private waitingForLock = false;
  /** Claims whose transaction failed without a clear answer: handed back as soon as the database answers. */
  private readonly abandoned = new Set<string>();

  constructor(private readonly o: SchedulerOptions<R>) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** New rows were written: look soon, after a short linger so a burst becomes one request. */
  wake(): void {
    if (this.stopped) return;
    this.schedule(this.o.lingerMs);
  }

  /** Stops claiming; waits for in-flight requests to be answered and recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stoppedAtMs = Date.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current.catch(() => undefined);
    await Promise.allSettled([...this.workers]);
  }

  /** When stop() began (0 while running). */
  stoppedAt(): number {
    return this.stopped ? this.stoppedAtMs : 0;
  }

  /** Look again in `ms` at the latest (a retry comes due). */
  schedule(ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + ms;
    if (this.timer && this.nextAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = Infinity;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    this.current = this.pass();
    await this.current;
    this.running = false;
    this.schedule(this.again ? 0 : this.o.pollMs);
  }

  private async pass(): Promise<void> {
    const { ledger, lock, log } = this.o;
    try {
      // Claims made without the instance lock would look abandoned to every other instance (and be sent by them).
      if (!lock.held) {
        if (!this.waitingForLock)
          log.warn('sender paused: the instance lock is not held (database connection lost); waiting for it');
        this.waitingForLock = true;
        return;
      }
      this.waitingForLock = false;
      for (const claimId of [...this.abandoned]) {
        await ledger.releaseClaim(claimId);
        this.abandoned.delete(claimId);
      }
      // 429 pauses other instances recorded: this instance honours them too.
      for (const [key, until] of await ledger.activePauses()) this.o.limits.pause(key, until);
      if (Date.now() - this.lastCleanup > 60_000) {
        this.lastCleanup = Date.now();
        await ledger.cleanupPauses();
      }
      for (const t of await ledger.dueTargets()) {
        if (this.stopped || this.workers.size >= this.o.maxWorkers) break;
        const key = `${t.scope}|${t.target}`;
        if (this.busy.has(key)) continue;
        this.busy.add(key);
        const w: Promise<void> = this.runTarget(t).finally(() => {
          this.busy.delete(key);
          this.workers.delete(w);
          this.wake();
        });
        this.workers.add(w);
      }
    } catch (e) {
      log.warn('sender pass failed; will retry', { err: e });
    }
  }

  private async runTarget(t: DueTarget): Promise<void> {
    const { lock } = this.o;
    const maxInFlight = Math.max(1, this.o.claimsInFlight ?? 1);
    const inFlight = new Set<Promise<void>>();
    let failed = false;
    let streaming = false;
    for (let round = 0; round < 3 * maxInFlight && !this.stopped && lock.held && !failed; round++) {
      const claim = await this.claimRows(t, streaming);
      if (!claim) break;
      streaming = claim.full;
      const d: Promise<void> = this.deliverClaim(claim, t).then((ok) => {
        if (!ok) failed = true;
        inFlight.delete(d);
      });
      inFlight.add(d);
      // A full claim: the next one is taken while this one is sent. Otherwise every claim is delivered first.
      const room = claim.full ? maxInFlight : 1;
      while (inFlight.size >= room) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }

  /** Claims the target's due rows; null when there are none or the claim failed (its rows are handed back). */
  private async claimRows(t: DueTarget, streaming: boolean): Promise<Claim<R> | null> {
    const { ledger, lock, log, claimLimit, leaseMs, freshClaim } = this.o;
    const claimId = randomUUID();
    const claimedAt = Date.now();
    const fresh = freshClaim && leaseMs > freshClaim.windowMs + freshClaim.requestDeadlineMs ? freshClaim : undefined;
    let rows: R[];
    try {
      ({ rows } = await ledger.claim(
        t.scope,
        t.target,
        claimLimit,
        lock.instanceNo,
        leaseMs,
        claimId,
        fresh && fresh.windowMs + fresh.requestDeadlineMs,
      ));
    } catch (e) {
      // The claim may have committed without us hearing it: its rows were not sent, so hand them back at once
      // (or as soon as the database answers) instead of letting them wait for their lease.
      log.warn('claim failed; handing its rows back', { err: e, scope: t.scope, target: t.target });
      await ledger.releaseClaim(claimId).catch(() => this.abandoned.add(claimId));
      return null;
    }
    if (!rows.length) return null;
    return {
      id: claimId,
      rows,
      full: rows.length >= Math.min(claimLimit, this.o.fullClaimRows ?? claimLimit) || streaming,
      sent: new Set(),
      leaseUntil: new Map(rows.map((r) => [String(r.id), claimedAt + leaseMs])),
      ...(fresh && { freshUntil: claimedAt + fresh.windowMs }),
    };
  }

  /** Delivers one claim; false when the worker failed (rows no request carried were handed back). */
  private async deliverClaim(claim: Claim<R>, t: DueTarget): Promise<boolean> {
    try {
      await this.o.deliver(claim, t);
      return true;
    } catch (e) {
      // Rows that never were part of a request go back now; the others (their answer is unknown or could not be
      // recorded) stay `sending` until their lease ends, then are sent again with the same event id.
      this.o.log.error('sender worker failed', { err: e, scope: t.scope, target: t.target });
      const unsent = claim.rows.filter((r) => !claim.sent.has(String(r.id))).map((r) => r.id);
      await this.o.ledger.release(claim.id, unsent, new Date()).catch(() => undefined);
      return false;
    }
  }
}
