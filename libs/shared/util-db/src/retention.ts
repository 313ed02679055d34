import type { DataSource } from 'typeorm';

const DAY_MS = 24 * 3600 * 1000;
const IDENT = /^[a-z_][a-z0-9_]*$/;

/** One table whose rows are deleted once `column` (a timestamptz) is older than `days` days. */
export interface RetentionRule {
  /** Name in logs, e.g. `click`. */
  name: string;
  table: string;
  /** Unique key of the table (the batches select and delete by it). */
  key: string;
  /** The timestamptz column that ages; it should be indexed. */
  column: string;
  days: number;
  /**
   * Extra SQL condition on the candidate rows (alias `t`), e.g. a `NOT EXISTS (…)` that keeps rows still needed.
   * Constant SQL only, never user input.
   */
  keepUnless?: string;
}

export interface RetentionLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The instant before which rows of a rule are due: `now - days`. A row exactly at the cutoff stays. */
export function retentionCutoff(days: number, now: Date): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

function checkRule(rule: RetentionRule): void {
  for (const id of [rule.table, rule.key, rule.column])
    if (!IDENT.test(id)) throw new Error(`retention rule ${rule.name}: "${id}" is not a plain SQL identifier`);
  if (!Number.isFinite(rule.days) || rule.days <= 0)
    throw new Error(`retention rule ${rule.name}: days must be positive`);
}

/**
 * Deletes the rows of one rule that are older than its cutoff, in batches of `batchSize` rows (one short transaction
 * each, oldest first, `FOR UPDATE SKIP LOCKED` so instances running the same job do not wait on each other), until a
 * batch comes back short or `shouldStop()` says so. Returns how many rows were deleted.
 */
export async function deleteExpiredRows(
  ds: DataSource,
  rule: RetentionRule,
  opts: { batchSize: number; now?: Date; shouldStop?: () => boolean },
): Promise<number> {
  checkRule(rule);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new Error('batchSize must be a positive integer');
  const cutoff = retentionCutoff(rule.days, opts.now ?? new Date());
  const sql = `DELETE FROM ${rule.table} WHERE ${rule.key} IN (
      SELECT t.${rule.key} FROM ${rule.table} t
       WHERE t.${rule.column} < $1${rule.keepUnless ? ` AND (${rule.keepUnless})` : ''}
       ORDER BY t.${rule.column}
       LIMIT $2
       FOR UPDATE SKIP LOCKED)`;
  let total = 0;
  for (;;) {
    const result: unknown = await ds.query(sql, [cutoff.toISOString(), opts.batchSize]);
    // node-postgres through TypeORM answers a DELETE without RETURNING with [rows, affected count].
    const deleted = Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
    total += deleted;
    if (deleted < opts.batchSize || opts.shouldStop?.()) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface RetentionJobOptions {
  /** Time between two runs. */
  intervalMs: number;
  batchSize: number;
  /** Delay of the first run after start() (default: 30 s, or the interval if shorter). */
  firstRunDelayMs?: number;
  log: RetentionLog;
  now?: () => Date;
}

/**
 * Runs {@link deleteExpiredRows} for each rule periodically. Timers are unref'd (they never keep a process alive);
 * a run never overlaps the previous one; stop() waits for a run in progress to finish its current batch.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<Record<string, number>> | null = null;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly rules: RetentionRule[],
    private readonly opts: RetentionJobOptions,
  ) {
    rules.forEach(checkRule);
    if (!(opts.intervalMs > 0)) throw new Error('retention intervalMs must be positive');
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.opts.firstRunDelayMs ?? Math.min(30_000, this.opts.intervalMs));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce()
        .catch(() => undefined) // logged in runOnce
        .finally(() => this.schedule(this.opts.intervalMs));
    }, ms);
    this.timer.unref();
  }

  /**
   * One pass over every rule; returns the rows deleted per rule name. A failing rule is logged and does not stop the
   * others; the pass then rejects. Concurrent calls share the same pass.
   */
  runOnce(): Promise<Record<string, number>> {
    if (!this.running) {
      this.running = this.pass().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async pass(): Promise<Record<string, number>> {
    const now = this.opts.now?.() ?? new Date();
    const deleted: Record<string, number> = {};
    const failures: Error[] = [];
    for (const rule of this.rules) {
      if (this.stopped) break;
      const started = Date.now();
      try {
        deleted[rule.name] = await deleteExpiredRows(this.ds, rule, {
          batchSize: this.opts.batchSize,
          now,
          shouldStop: () => this.stopped,
        });
        if (deleted[rule.name])
          this.opts.log.info('retention: deleted expired rows', {
            rule: rule.name,
            rows: deleted[rule.name],
            olderThanDays: rule.days,
            ms: Date.now() - started,
          });
      } catch (e) {
        this.opts.log.error('retention: deleting expired rows failed; retried at the next run', {
          rule: rule.name,
          error: (e as Error).message,
        });
        failures.push(e as Error);
      }
    }
    if (failures.length) throw new AggregateError(failures, 'retention: some rules failed');
    return deleted;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
