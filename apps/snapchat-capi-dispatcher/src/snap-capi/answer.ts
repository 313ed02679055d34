import { PayloadValidationError } from '@snaptrack/util-errors';
import type { Logger } from '@snaptrack/util-logger';
import type { SnapEvent } from './mapping';

/**
 * Snapchat's side of a request, for client.ts: what is sent and answered, the error classes of a refused payload,
 * and the reading of Snap's answer bodies (messages, per-event verdicts, Retry-After, network error codes).
 */

export interface SnapSendRequest {
  pixelId: string;
  accessToken: string;
  /** Test-mode pixel: POST /events/validate, which checks every event and records nothing. */
  validateOnly: boolean;
  events: SnapEvent[];
  /** Pre-serialised `{"data":[…]}` when the caller already measured it. */
  body?: string;
}

export interface SnapSendResult {
  httpStatus: number;
  status: string;
  reason: string | null;
  /**
   * Events of the request that Snap refused inside a 2xx answer (its `event_logs` entries with status INVALID, FAILED
   * or FAILURE; `event` indexes `data[]`). Every other event of the request landed. Empty when all landed.
   */
  eventErrors: SnapEventLog[];
}

export interface SnapEventLog {
  event: number;
  status: string;
  message: string | null;
}

/**
 * Snap refused the request and retrying it as it is cannot help. `splittable`: the refusal is about the events
 * (400 INVALID, 422, 2xx INVALID), so the batch can be split to find the bad ones; otherwise (an unexpected status
 * such as 3xx, 405 or 501) every event of the request fails with the message. `eventIndex` is Snap's `event`.
 */
export class SnapRejectedError extends PayloadValidationError {
  constructor(
    message: string,
    httpStatus: number,
    public readonly eventIndex: number | null,
    /** /events/validate answers carry one verdict per event. */
    public readonly eventLogs: SnapEventLog[] | null,
    public readonly snapCodes: string[],
    public readonly splittable: boolean = true,
  ) {
    super(message, 'payload_invalid', httpStatus);
  }
}

/** 413: the body is too large; halve the batch. */
export class PayloadTooLargeError extends PayloadValidationError {
  constructor(message: string) {
    super(message, 'payload_invalid', 413);
  }
}

export interface SnapCapiClientOptions {
  baseUrl: string;
  timeoutMs: number;
  log: Logger;
  /**
   * An undici dispatcher for the global fetch (its `dispatcher` option), e.g. a MockAgent serving recorded Snapchat
   * answers in tests. Default: the global dispatcher.
   */
  dispatcher?: object;
}

export const MAX_MESSAGE = 1024;

export function truncate(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s;
}

/** Snap's reason + error messages, never more than 1 kB, and never anything that looks like a token value. */
export function snapMessage(body: Record<string, unknown> | null, fallback: string): string {
  if (!body) return fallback;
  const errors = body['errors'] as { error_msgs?: unknown } | undefined;
  const msgs = [
    ...(Array.isArray(errors?.error_msgs) ? errors.error_msgs : []),
    ...(Array.isArray(body['error_msgs']) ? (body['error_msgs'] as unknown[]) : []),
  ].filter((m): m is string => typeof m === 'string' && m.trim() !== '');
  const reason = typeof body['reason'] === 'string' && body['reason'].trim() ? (body['reason'] as string) : null;
  const parts = [...(reason ? [reason] : []), ...msgs.filter((m) => m !== reason)];
  const text = parts.length ? parts.join(' ') : fallback;
  return truncate(text.replace(/(access_token|token)=[^&\s"']+/gi, '$1=[redacted]'));
}

export function snapCodes(body: Record<string, unknown> | null): string[] {
  const errors = body?.['errors'] as { codes?: unknown } | undefined;
  return Array.isArray(errors?.codes) ? errors.codes.filter((c): c is string => typeof c === 'string') : [];
}

/** Retry-After: delta-seconds or an HTTP date. null when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

export function networkCode(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timeout';
  return err?.cause?.code ?? err?.code ?? err?.cause?.name ?? 'network error';
}

export const FAILED_STATUSES = new Set(['INVALID', 'FAILED', 'FAILURE']);

/** Snap's per-event verdicts (`event_logs: [{event, status, errors: {error_msgs}}]`), or null when there are none. */
export function eventLogsOf(parsed: Record<string, unknown> | null): SnapEventLog[] | null {
  if (!Array.isArray(parsed?.['event_logs'])) return null;
  return (parsed['event_logs'] as unknown[]).flatMap((l): SnapEventLog[] => {
    const entry = l as { event?: unknown; status?: unknown; errors?: { error_msgs?: unknown } };
    if (typeof entry?.event !== 'number' || !Number.isInteger(entry.event) || typeof entry.status !== 'string') {
      return [];
    }
    const msgs = Array.isArray(entry.errors?.error_msgs)
      ? entry.errors.error_msgs.filter((m): m is string => typeof m === 'string')
      : [];
    return [
      {
        event: entry.event,
        status: entry.status.toUpperCase(),
        message: msgs.length
          ? truncate(msgs.join(' ').replace(/(access_token|token)=[^&\s"']+/gi, '$1=[redacted]'))
          : null,
      },
    ];
  });
}
