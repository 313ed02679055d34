// Response bodies in Snap's v3 shapes (Snap SDK openapi: EventResponse, ValidateResponse, GetLogsResponse,
// GetStatsResponse; docs/snap-capi.md "Responses, errors and retries"). Pure functions: no I/O.

import type { BatchVerdict, Problem } from './validate';
import type { TestLogEntry } from './store';

export interface ErrorDetails {
  codes: string[];
  error_msgs: string[];
}

/** POST /events success. The reason text matches what Snap returns in practice. */
export interface SendValid {
  status: 'VALID';
  reason: string;
}

/** POST /events (and auth/transport) failure. `event` indexes `data[]` when one event is to blame. */
export interface SendInvalid {
  status: 'INVALID';
  event?: number;
  reason: string;
  errors: ErrorDetails;
}

export interface EventLog {
  event: number;
  status: 'VALID' | 'INVALID';
  errors: ErrorDetails;
  warnings: string[];
}

export interface ValidateBody {
  status: 'VALID' | 'INVALID';
  test_event: true;
  reason: string;
  /** Index of the first invalid event, as on /events (not in Snap's ValidateResponse; added for parsers of either). */
  event?: number;
  errors?: ErrorDetails;
  event_logs: EventLog[];
}

export interface LogsBody {
  status: 'SUCCESS' | 'FAILURE';
  reason: string;
  logs?: unknown[];
  errors?: ErrorDetails;
}

export const SEND_OK_REASON = 'Events have been processed successfully.';

function details(problems: Problem[]): ErrorDetails {
  return { codes: problems.map((p) => p.code), error_msgs: problems.map((p) => p.message) };
}

export function sendValid(): SendValid {
  return { status: 'VALID', reason: SEND_OK_REASON };
}

/** One-cause failure: auth, content type, size, JSON syntax. */
export function invalid(code: string, reason: string): SendInvalid {
  return { status: 'INVALID', reason, errors: { codes: [code], error_msgs: [reason] } };
}

/** 400 body for a batch that failed validation: the envelope's problems, or the first invalid event's. */
export function sendInvalid(verdict: BatchVerdict): SendInvalid {
  if (verdict.envelope.length > 0) {
    return { status: 'INVALID', reason: verdict.envelope[0]!.message, errors: details(verdict.envelope) };
  }
  const index = verdict.firstInvalidEvent ?? 0;
  const problems = verdict.events[index]?.errors ?? [];
  return {
    status: 'INVALID',
    event: index,
    reason: problems[0]?.message ?? 'The event is invalid.',
    errors: details(problems),
  };
}

export function validateBody(verdict: BatchVerdict): ValidateBody {
  const eventLogs = verdict.events.map((event): EventLog => ({
    event: event.index,
    status: event.errors.length > 0 ? 'INVALID' : 'VALID',
    errors: details(event.errors),
    warnings: event.warnings,
  }));
  if (verdict.ok) {
    return {
      status: 'VALID',
      test_event: true,
      reason: 'All events are valid. Nothing was recorded.',
      event_logs: eventLogs,
    };
  }
  const failed = sendInvalid(verdict);
  return {
    status: 'INVALID',
    test_event: true,
    reason: failed.reason,
    ...(failed.event !== undefined ? { event: failed.event } : {}),
    errors: failed.errors,
    event_logs: eventLogs,
  };
}

/**
 * POST /events answered with per-event verdicts (the `refuse_event_ids` fault): HTTP 200, the refused events INVALID
 * with their reason, the others VALID (and stored). The top-level status is INVALID when any event was refused.
 */
export function sendPerEvent(
  refused: Map<number, string>,
  count: number,
): { status: 'VALID' | 'INVALID'; event?: number; reason: string; errors?: ErrorDetails; event_logs: EventLog[] } {
  const eventLogs = Array.from({ length: count }, (_, i): EventLog => {
    const reason = refused.get(i);
    return reason === undefined
      ? { event: i, status: 'VALID', errors: { codes: [], error_msgs: [] }, warnings: [] }
      : { event: i, status: 'INVALID', errors: { codes: ['EVENT_REFUSED'], error_msgs: [reason] }, warnings: [] };
  });
  const first = [...refused.keys()].sort((x, y) => x - y)[0];
  if (first === undefined) return { status: 'VALID', reason: SEND_OK_REASON, event_logs: eventLogs };
  const reason = refused.get(first)!;
  return {
    status: 'INVALID',
    event: first,
    reason,
    errors: { codes: ['EVENT_REFUSED'], error_msgs: [reason] },
    event_logs: eventLogs,
  };
}

/** GET /events/validate/logs: Snap's ValidateEvent records (event_time is a string there). */
export function logsBody(entries: TestLogEntry[]): LogsBody {
  return {
    status: 'SUCCESS',
    reason: `${entries.length} test event(s) in the last 24 hours.`,
    logs: entries.map((entry) => ({
      event_name: entry.event_name,
      raw_event_name: entry.event_name,
      event_time: entry.event_time === undefined ? undefined : String(entry.event_time),
      action_source: entry.action_source,
      integration: entry.integration,
      asset_id: entry.pixel_id,
      status: entry.status,
      error_records: entry.error_records,
      warning_records: entry.warning_records,
      received_at: entry.received_at,
      event_metadata: { pixel_id: entry.pixel_id, conversion_info: entry.event },
    })),
  };
}

export function failure(code: string, reason: string): LogsBody {
  return { status: 'FAILURE', reason, errors: { codes: [code], error_msgs: [reason] } };
}

/** Default body of an injected fault: INVALID for plain 4xx, FAILED otherwise (5xx, 408, 429). */
export function faultBody(status: number): { status: string; reason: string } {
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  const reason =
    status === 429
      ? 'Too many requests.'
      : status >= 500
        ? 'Internal server error.'
        : `Injected response with HTTP ${status}.`;
  return { status: permanent ? 'INVALID' : status < 400 ? 'VALID' : 'FAILED', reason: `${reason} (sandbox fault)` };
}
