import { DeliveryResultV1 } from '@snaptrack/contracts-events';
import type { LedgerStatus } from './delivery.entity';

/** A ledger row as Postgres returns it (snake_case), enough to publish its state. */
export interface LedgerRecord {
  id: string;
  conversion_id: string;
  pixel_id: string;
  account_id: string;
  status: LedgerStatus;
  attempts: number;
  next_attempt_at: Date | null;
  event_id: string;
  event_name: string | null;
  http_status: number | null;
  reason_code: string | null;
  message: string | null;
  placements: string[];
  test_mode: boolean;
  command_id: string | null;
  revision: number;
  cycle_started_at: Date;
  delivered_at: Date | null;
  updated_at: Date;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/**
 * The delivery.result.v1 value for a row. `sending` is published as `pending` (the contract has no in-flight state).
 * `command_id` (optional field) is set when a redeliver/backfill command (re)started the delivery.
 */
export function toDeliveryResult(row: LedgerRecord): DeliveryResultV1.Value {
  const status = row.status === 'sending' ? 'pending' : row.status;
  const value: DeliveryResultV1.Value = {
    schema: 'delivery.result.v1',
    destination: 'snapchat-capi',
    conversion_id: row.conversion_id,
    account_id: row.account_id,
    pixel_id: row.pixel_id,
    status,
    reason_code: row.reason_code,
    message: row.message,
    attempts: row.attempts,
    http_status: row.http_status,
    event_name: row.event_name,
    event_id: row.event_id,
    test_mode: row.test_mode,
    placements: row.placements.filter((p): p is 'channel' | 'offer' => p === 'channel' || p === 'offer'),
    next_attempt_at: status === 'pending' || status === 'retrying' ? iso(row.next_attempt_at) : null,
    delivered_at: iso(row.delivered_at),
    updated_at: iso(row.updated_at) ?? new Date().toISOString(),
    revision: row.revision,
    command_id: row.command_id,
  };
  return DeliveryResultV1.contract.assert(value);
}
