import type { DataSource, QueryRunner } from 'typeorm';
import type { Logger } from '@snaptrack/util-logger';

/**
 * Each running dispatcher takes an instance number and holds an advisory lock on it for its whole life. Rows it
 * claimed (`claimed_by`) become claimable again once no session holds that lock any more — a SIGKILL closes the
 * connections — instead of only when their lease runs out: at once for rows it has not sent yet, and for rows whose
 * request it started once that request has certainly ended (`request_deadline`, delivery.service.ts). A lost lock
 * cannot tell a dead process from a live one whose lock connections were cut, so a request that may still be running
 * is never handed to another instance; and an instance without its lock starts no request (sender.ts).
 *
 * The flip side: if the lock's connection died while the process lives (the connection was cut, Postgres restarted),
 * every row this instance has in flight would look abandoned to the others, and they would send it a second time. So:
 * - the lock is held (shared mode, on the instance's own number) by two sessions on separate connections: one of them
 *   dying leaves the other holding it, and the dead one is replaced (same number) as soon as Postgres answers;
 * - `held` is false only when no session holds it (Postgres went away altogether); the sender claims nothing then,
 *   and the lock is taken back under the same number, so rows still in flight are covered again. Right after a
 *   Postgres start nobody holds any lock yet, which delivery.service.ts covers with a grace period.
 */
export interface InstanceLock {
  /** The number claims are made under. */
  readonly instanceNo: number;
  /** True while at least one of this instance's sessions holds the advisory lock on `instanceNo`. */
  readonly held: boolean;
  release(): Promise<void>;
}

export interface InstanceLockOptions {
  /**
   * The advisory-lock class (first key of `pg_advisory_lock_shared(class, instanceNo)`) of this kind of instance;
   * the ledger's "is the claimer alive" check joins pg_locks on the same class.
   */
  lockClass: number;
  /** The PostgreSQL sequence instance numbers are drawn from (a plain identifier, created by the app's migrations). */
  instanceSequence: string;
  /** How often lost sessions are replaced, and sessions checked (every 8th time). */
  checkIntervalMs?: number;
  /** Sessions holding the lock (≥ 1). */
  sessions?: number;
  log?: Logger;
}

type Slot = { qr: QueryRunner; alive: boolean } | null;

class WatchedInstanceLock implements InstanceLock {
  private closed = false;
  private busy = false;
  private ticks = 0;
  private wasHeld = true;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ds: DataSource,
    readonly instanceNo: number,
    private readonly slots: Slot[],
    checkIntervalMs: number,
    private readonly lockClass: number,
    private readonly log?: Logger,
  ) {
    for (const slot of slots) if (slot) this.watch(slot);
    this.timer = setInterval(() => void this.tick(), checkIntervalMs);
    this.timer.unref();
  }

  get held(): boolean {
    return this.slots.some((s) => s !== null && s.alive && !s.qr.isReleased);
  }

  private watch(slot: NonNullable<Slot>): void {
    // TypeORM releases a query runner whose connection emits 'error' (isReleased turns true); listening as well makes
    // the loss visible at once, not at the next check.
    const conn = (slot.qr as unknown as { databaseConnection?: { once?: (ev: string, fn: () => void) => void } })
      .databaseConnection;
    conn?.once?.('error', () => this.lost(slot, 'connection error'));
    conn?.once?.('end', () => this.lost(slot, 'connection ended'));
  }

  private lost(slot: NonNullable<Slot>, why: string): void {
    if (!slot.alive || this.closed) return;
    slot.alive = false;
    void slot.qr.release().catch(() => undefined);
    if (!this.held && this.wasHeld) {
      this.wasHeld = false;
      this.log?.warn('instance lock lost; claiming stops until it is taken back', { instance: this.instanceNo, why });
    }
    // Replace it at once rather than at the next tick.
    setImmediate(() => void this.tick());
  }

  /** Replaces lost sessions (and checks live ones every 8th time). */
  async tick(): Promise<void> {
    if (this.closed || this.busy) return;
    this.busy = true;
    try {
      const check = ++this.ticks % 8 === 0;
      for (let i = 0; i < this.slots.length; i++) {
        const slot = this.slots[i];
        if (slot && slot.alive && slot.qr.isReleased) this.lost(slot, 'connection released');
        if (!slot || !slot.alive) {
          this.slots[i] = await this.lockSession();
          if (this.slots[i]) this.watch(this.slots[i]!);
        } else if (check) {
          await slot.qr.query('SELECT 1').catch(() => this.lost(slot, 'health check failed'));
        }
      }
      if (this.held && !this.wasHeld) {
        this.wasHeld = true;
        this.log?.info('instance lock taken back', { instance: this.instanceNo });
      }
    } finally {
      this.busy = false;
    }
  }

  /** A new session holding the lock, or null while Postgres does not answer. */
  private async lockSession(): Promise<Slot> {
    if (this.closed) return null;
    const qr = this.ds.createQueryRunner();
    try {
      await qr.connect();
      await qr.query(`SELECT pg_advisory_lock_shared($1::int, $2::int)`, [this.lockClass, this.instanceNo]);
      if (this.closed) throw new Error('closed');
      return { qr, alive: true };
    } catch {
      await qr.release().catch(() => undefined);
      return null;
    }
  }

  async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const slot of this.slots) {
      if (!slot || slot.qr.isReleased) continue;
      slot.alive = false;
      await slot.qr
        .query(`SELECT pg_advisory_unlock_shared($1::int, $2::int)`, [this.lockClass, this.instanceNo])
        .catch(() => undefined);
      await slot.qr.release().catch(() => undefined);
    }
  }
}

export async function acquireInstanceLock(ds: DataSource, opts: InstanceLockOptions): Promise<InstanceLock> {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.instanceSequence)) throw new Error('instanceSequence must be a plain identifier');
  const qr = ds.createQueryRunner();
  await qr.connect();
  let n: number;
  try {
    [{ n }] = (await qr.query(`SELECT nextval('${opts.instanceSequence}')::int AS n`)) as Array<{ n: number }>;
    await qr.query(`SELECT pg_advisory_lock_shared($1::int, $2::int)`, [opts.lockClass, n]);
  } catch (e) {
    await qr.release().catch(() => undefined);
    throw e;
  }
  const slots: Slot[] = [{ qr, alive: true }];
  const lock = new WatchedInstanceLock(ds, n, slots, opts.checkIntervalMs ?? 250, opts.lockClass, opts.log);
  // The other sessions are opened now (and re-opened by the watcher whenever one is lost).
  for (let i = 1; i < Math.max(1, opts.sessions ?? 2); i++) slots.push(null);
  await lock.tick();
  return lock;
}
