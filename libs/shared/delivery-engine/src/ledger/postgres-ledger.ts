import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { NO_BITMAP_SCAN } from '@snaptrack/util-db';
import type { Logger } from '@snaptrack/util-logger';
import { rowsOf, type DueTarget, type LedgerPort, type LedgerRow, type Outcome } from './ledger';
import { ACTIVE_ROW, dueCondition } from './sql';

export interface PostgresLedgerOptions<R extends LedgerRow> {
  /**
   * The ledger table (alias `d` in every statement). Besides the caller's own columns it has: id bigint, status,
   * attempts, next_attempt_at, lease_until, claim_id, claimed_by, request_deadline, http_status, reason_code,
   * message, test_mode, placements text[], event_id, event_id_fixed, revision, cycle_started_at, delivered_at,
   * updated_at (apps/snapchat-capi-dispatcher/src/migrations shows one).
   */
  table: string;
  /** The two columns that name one target's work (Snap: `account_id`, `pixel_id`). */
  scopeColumns: readonly [string, string];
  /** The columns a statement returns for a row (each prefixed `d.`): the caller's record shape `R`. */
  returning: string;
  /** Credential pauses after a 429, shared by every instance: (key text primary key, paused_until timestamptz). */
  pauses: { table: string; keyColumn: string };
  /** The instances' advisory-lock class (acquireInstanceLock's `lockClass`). */
  lockClass: number;
  /** Seconds after a Postgres start during which only an expired lease frees a row (default 15). */
  ownerGraceSeconds?: number;
  /** Writes what announces these rows' new state (e.g. outbox rows), in the same transaction. */
  publish(tx: EntityManager, rows: R[]): Promise<void>;
  /** After a commit that published rows (wakes the outbox relay). */
  onPublished?(): void;
  /**
   * Completes rows just claimed, inside the claim's transaction: loads their payloads and checks each first-claimed
   * row's event id (`event_id_fixed` false: as it was before this claim), correcting it with `fixEventIds` where the
   * destination's id rule, which may depend on the row, gives another one.
   */
  onClaimed?(tx: EntityManager, rows: Array<R & { event_id_fixed: boolean }>): Promise<R[]>;
  log?: Logger;
}

/**
 * The ledger in Postgres: claim (FOR UPDATE SKIP LOCKED, under a lease), lease refresh with `request_deadline`,
 * release, mark (only while the claim still owns the row), the credential-wide follow-ups, and the 429 pauses.
 */
export class PostgresLedger<R extends LedgerRow> implements LedgerPort<R> {
  private readonly due: string;
  private readonly t: string;
  private readonly s: string; // scope column
  private readonly p: string; // target column

  constructor(
    private readonly ds: DataSource,
    private readonly o: PostgresLedgerOptions<R>,
  ) {
    this.t = o.table;
    [this.s, this.p] = o.scopeColumns;
    this.due = dueCondition(o.lockClass, o.ownerGraceSeconds ?? 15);
  }

  /**
   * Targets with due work (including rows whose claimer died), longest-waiting first.
   *
   * Reads one index entry per target, not every due row: a skip scan walks the distinct (scope, target) pairs of rows
   * in the waiting or sending states (ordered by the pair, so an index on (scope, target, next_attempt_at) over those
   * states serves it, `delivery_active` in the dispatcher), and for each pair one ordered probe finds its first due
   * row. The `GROUP BY … ORDER BY min(next_attempt_at)` this replaces read the whole backlog on every sender pass:
   * 925,000 rows fetched while 50,000 conversions drained (pg_stat_user_indexes).
   */
  async dueTargets(limit = 500): Promise<DueTarget[]> {
    const { t, s, p } = this;
    // In a transaction only for NO_BITMAP_SCAN: plain index scans, which mark the entries of finished rows dead.
    return this.ds.transaction(async (tx) => {
      await tx.query(NO_BITMAP_SCAN);
      return tx.query(
        `WITH RECURSIVE targets AS (
           (SELECT d.${s} AS scope, d.${p} AS target FROM ${t} d WHERE ${ACTIVE_ROW} ORDER BY d.${s}, d.${p} LIMIT 1)
           UNION ALL
           SELECT n.scope, n.target FROM targets c CROSS JOIN LATERAL (
             SELECT d.${s} AS scope, d.${p} AS target FROM ${t} d
              WHERE ${ACTIVE_ROW} AND (d.${s}, d.${p}) > (c.scope, c.target)
              ORDER BY d.${s}, d.${p} LIMIT 1) n
         )
         SELECT c.scope, c.target FROM targets c CROSS JOIN LATERAL (
           SELECT d.next_attempt_at FROM ${t} d
            WHERE d.${s} = c.scope AND d.${p} = c.target AND ${this.due}
            ORDER BY d.next_attempt_at LIMIT 1) first_due
         ORDER BY first_due.next_attempt_at LIMIT $1`,
        [limit],
      );
    });
  }

  /**
   * Claims up to `limit` due rows of one target for this instance: status `sending`, a fresh claim id, a lease, and
   * attempts + 1. SKIP LOCKED: another instance claiming the same target at the same moment gets other rows.
   *
   * `requestDeadlineMs` (optional) also sets `request_deadline` to now + that, as `refreshLease` would: a request
   * that starts soon enough after the claim is then covered without a second write (see `Claim.freshUntil`). The
   * claim fixes every row's event id (`event_id_fixed`); each row comes back with `event_id_fixed` as it was
   * before, so `onClaimed` knows which rows this claim is the first one of.
   */
  async claim(
    scope: string,
    target: string,
    limit: number,
    instanceNo: number,
    leaseMs: number,
    claimId: string = randomUUID(),
    requestDeadlineMs?: number,
  ): Promise<{ claimId: string; rows: R[] }> {
    const rows = await this.ds.transaction(async (tx) => {
      // A plain index scan marks the entries of rows that left the due states dead (see NO_BITMAP_SCAN).
      await tx.query(NO_BITMAP_SCAN);
      const res = await tx.query(
        `WITH due AS (
           SELECT d.id, d.event_id_fixed AS was_fixed FROM ${this.t} d
            WHERE d.${this.s} = $1 AND d.${this.p} = $2 AND ${this.due}
            ORDER BY d.next_attempt_at, d.id
            LIMIT $3
            FOR UPDATE SKIP LOCKED)
         UPDATE ${this.t} d SET status = 'sending', claim_id = $4, claimed_by = $5,
                request_deadline = now() + ($7::int * interval '1 millisecond'),
                lease_until = now() + ($6::int * interval '1 millisecond'),
                next_attempt_at = now() + ($6::int * interval '1 millisecond'),
                attempts = d.attempts + 1, event_id_fixed = true, updated_at = now()
           FROM due WHERE d.id = due.id
         RETURNING ${this.o.returning}, due.was_fixed AS event_id_fixed`,
        [scope, target, limit, claimId, instanceNo, leaseMs, requestDeadlineMs ?? null],
      );
      const claimed = rowsOf<R & { event_id_fixed: boolean }>(res);
      if (!claimed.length) return [];
      return this.o.onClaimed ? this.o.onClaimed(tx, claimed) : claimed;
    });
    return { claimId, rows: rows.sort((a, b) => Number(a.id) - Number(b.id)) };
  }

  /**
   * Corrects the event ids of rows at their first claim (in `onClaimed`, inside the claim's transaction, which
   * already set `event_id_fixed`): later claims and retries reuse them. Only rows whose stored id differs from the
   * destination's rule need it.
   */
  async fixEventIds(tx: EntityManager, fixes: Array<{ id: string; event_id: string }>): Promise<void> {
    if (!fixes.length) return;
    await tx.query(
      `UPDATE ${this.t} d SET event_id = x.event_id, event_id_fixed = true
         FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, event_id text) WHERE d.id = x.id`,
      [JSON.stringify(fixes)],
    );
  }

  /**
   * Extends the lease right before a request and records by when that request has certainly ended
   * (`request_deadline`, now + `requestMs`); returns the ids this claim still owns (only those may be sent).
   */
  async refreshLease(claimId: string, ids: string[], leaseMs: number, requestMs: number): Promise<Set<string>> {
    const res = await this.ds.query(
      `UPDATE ${this.t} SET lease_until = now() + ($3::int * interval '1 millisecond'),
              next_attempt_at = now() + ($3::int * interval '1 millisecond'),
              request_deadline = now() + ($4::int * interval '1 millisecond')
        WHERE claim_id = $1 AND status = 'sending' AND id = ANY($2::bigint[])
        RETURNING id`,
      [claimId, ids, leaseMs, requestMs],
    );
    return new Set(rowsOf<{ id: string }>(res).map((r) => String(r.id)));
  }

  /** Gives rows back unsent (e.g. their credential is paused): due again at `until`, the attempt is not counted. */
  async release(claimId: string, ids: string[], until: Date): Promise<void> {
    if (!ids.length) return;
    await this.ds.query(`${this.unclaim('$3')} AND id = ANY($2::bigint[])`, [claimId, ids, until]);
  }

  /** Hands every still-claimed row of a claim back unsent (due now): for a claim whose commit answer was lost. */
  async releaseClaim(claimId: string): Promise<number> {
    return rowsOf(await this.ds.query(`${this.unclaim('now()')} RETURNING id`, [claimId])).length;
  }

  private unclaim(until: string): string {
    return `UPDATE ${this.t} SET status = CASE WHEN attempts - 1 > 0 THEN 'retrying' ELSE 'pending' END,
              attempts = greatest(0, attempts - 1),
              next_attempt_at = ${until}, lease_until = NULL, claim_id = NULL, claimed_by = NULL,
              request_deadline = NULL, updated_at = now()
        WHERE claim_id = $1 AND status = 'sending'`;
  }

  /** Records outcomes of one claim and publishes them. A row another claim took over (lease expired) is left alone. */
  async mark(claimId: string, outcomes: Outcome[]): Promise<R[]> {
    if (!outcomes.length) return [];
    const data = outcomes.map((o) => ({
      id: o.id,
      status: o.status,
      http_status: o.httpStatus ?? null,
      reason_code: o.reasonCode ?? null,
      message: o.message ?? null,
      next_attempt_at: o.status === 'retrying' ? (o.nextAttemptAt ?? new Date()).toISOString() : null,
      test_mode: o.testMode ?? null,
      placements: o.placements ?? null,
    }));
    const marked = await this.ds.transaction(async (tx) => {
      const res = await tx.query(
        `UPDATE ${this.t} d SET status = x.status, http_status = x.http_status, reason_code = x.reason_code,
                message = x.message, next_attempt_at = x.next_attempt_at, lease_until = NULL, claim_id = NULL,
                claimed_by = NULL, request_deadline = NULL,
                delivered_at = CASE WHEN x.status = 'delivered' THEN now() ELSE d.delivered_at END,
                test_mode = coalesce(x.test_mode, d.test_mode),
                placements = CASE WHEN x.placements IS NULL THEN d.placements
                                  ELSE ARRAY(SELECT jsonb_array_elements_text(x.placements)) END,
                revision = d.revision + 1, updated_at = now()
           FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, status text, http_status int, reason_code text,
                message text, next_attempt_at timestamptz, test_mode boolean, placements jsonb)
          WHERE d.id = x.id AND d.claim_id = $1 AND d.status = 'sending'
         RETURNING ${this.o.returning}`,
        [claimId, JSON.stringify(data)],
      );
      const rows = rowsOf<R>(res);
      await this.o.publish(tx, rows);
      if (rows.length < outcomes.length) {
        this.o.log?.warn('some outcomes were not recorded: the claim was taken over after its lease ended', {
          claim_id: claimId,
          lost: outcomes.length - rows.length,
        });
      }
      return rows;
    });
    if (marked.length) this.o.onPublished?.();
    return marked;
  }

  /**
   * A person has to fix the credential (bad token, unknown target): fail these waiting rows of the target now with
   * the same message. Rows in flight get their own answer; rows that left the waiting states are left alone.
   */
  async failWaiting(
    scope: string,
    target: string,
    ids: string[],
    outcome: { httpStatus: number | null; reasonCode: string; message: string },
  ): Promise<number> {
    if (!ids.length) return 0;
    const n = await this.ds.transaction(async (tx) => {
      const res = await tx.query(
        `UPDATE ${this.t} d SET status = 'failed', http_status = $3, reason_code = $4, message = $5,
                next_attempt_at = NULL, revision = d.revision + 1, updated_at = now()
          WHERE d.${this.s} = $1 AND d.${this.p} = $2 AND d.id = ANY($6::bigint[])
            AND d.status IN ('pending', 'retrying')
         RETURNING ${this.o.returning}`,
        [scope, target, outcome.httpStatus, outcome.reasonCode, outcome.message, ids],
      );
      const rows = rowsOf<R>(res);
      await this.o.publish(tx, rows);
      return rows.length;
    });
    if (n) this.o.onPublished?.();
    return n;
  }

  /** 429: none of these waiting rows is due before `until` (state unchanged, so nothing is published). */
  async deferWaiting(scope: string, target: string, ids: string[], until: Date): Promise<void> {
    if (!ids.length) return;
    await this.ds.query(
      `UPDATE ${this.t} SET next_attempt_at = greatest(next_attempt_at, $3)
        WHERE ${this.s} = $1 AND ${this.p} = $2 AND id = ANY($4::bigint[]) AND status IN ('pending', 'retrying')`,
      [scope, target, until, ids],
    );
  }

  async pauseCredential(key: string, until: Date): Promise<void> {
    const { table, keyColumn: k } = this.o.pauses;
    await this.ds.query(
      `INSERT INTO ${table} (${k}, paused_until) VALUES ($1, $2)
       ON CONFLICT (${k}) DO UPDATE SET paused_until = greatest(${table}.paused_until, EXCLUDED.paused_until)`,
      [key, until],
    );
  }

  async activePauses(): Promise<Map<string, number>> {
    const { table, keyColumn: k } = this.o.pauses;
    const rows: Array<{ key: string; paused_until: Date }> = await this.ds.query(
      `SELECT ${k} AS key, paused_until FROM ${table} WHERE paused_until > now()`,
    );
    return new Map(rows.map((r) => [r.key, new Date(r.paused_until).getTime()]));
  }

  async cleanupPauses(): Promise<void> {
    await this.ds.query(`DELETE FROM ${this.o.pauses.table} WHERE paused_until < now() - interval '1 hour'`);
  }

  /** Row counts by status (tests, operators). */
  async counts(): Promise<Record<string, number>> {
    const rows: Array<{ status: string; n: number }> = await this.ds.query(
      `SELECT status, count(*)::int AS n FROM ${this.t} GROUP BY status`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }
}
