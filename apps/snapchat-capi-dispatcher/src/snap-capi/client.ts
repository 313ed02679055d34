import {
  InvalidAuthenticationError,
  PayloadValidationError,
  RateLimitedError,
  RetryableError,
  isRetryableStatus,
} from '@snaptrack/util-errors';
import type { Logger } from '@snaptrack/util-logger';
import type { SnapEvent } from './mapping';
import { assertValidPixelId } from './validate';
import { SNAP_CAPI_VERSION } from './versioning-info';
import { traceHeaders } from '@snaptrack/util-observability';

/**
 * The only file that talks to Snapchat. POST {base}/v3/{pixelId}/events (or /events/validate for test-mode pixels)
 * with the token in the `access_token` query parameter (docs/snap-capi.md "Endpoints and authentication": query only).
 * The URL is a secret: it is never logged, never put into an error, never returned. Logs carry method, host, pixel id,
 * event count, status and duration.
 *
 * Status → error class (docs/snap-capi.md "Responses, errors and retries"; Segment's retryable set). The HTTP
 * status decides, never the wording of Snap's message:
 *   2xx (status not INVALID/FAILED/FAILURE; any other or no body, JSON or not) → ok, with the per-event verdicts of
 *   an `event_logs` list: its INVALID/FAILED/FAILURE entries are `eventErrors` (those events failed, the others
 *   landed) · 2xx INVALID without per-event verdicts and 400 (whatever its text, a token mentioned or not) →
 *   SnapRejectedError (not retryable; the batch may be split) · 401, 403 → InvalidAuthenticationError · 404 →
 *   InvalidAuthenticationError ('pixel_not_found') · 413 → PayloadTooLargeError (split) · 429 →
 *   RateLimitedError(Retry-After) · 408, 423, every 5xx, 3xx (never followed), network errors and timeouts →
 *   RetryableError · any other status → SnapRejectedError.
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

const MAX_MESSAGE = 1024;

function truncate(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s;
}

/** Snap's reason + error messages, never more than 1 kB, and never anything that looks like a token value. */
function snapMessage(body: Record<string, unknown> | null, fallback: string): string {
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

function snapCodes(body: Record<string, unknown> | null): string[] {
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

function networkCode(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timeout';
  return err?.cause?.code ?? err?.code ?? err?.cause?.name ?? 'network error';
}

const FAILED_STATUSES = new Set(['INVALID', 'FAILED', 'FAILURE']);

/** Snap's per-event verdicts (`event_logs: [{event, status, errors: {error_msgs}}]`), or null when there are none. */
function eventLogsOf(parsed: Record<string, unknown> | null): SnapEventLog[] | null {
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

export class SnapCapiClient {
  private readonly host: string;

  constructor(private readonly opts: SnapCapiClientOptions) {
    this.host = new URL(opts.baseUrl).host;
  }

  /** Builds the request URL. Private on purpose: nothing outside this class ever sees it. */
  private url(pixelId: string, token: string, validateOnly: boolean): string {
    const base = this.opts.baseUrl.replace(/\/+$/, '');
    const path = `${base}/${SNAP_CAPI_VERSION}/${encodeURIComponent(pixelId)}/events${validateOnly ? '/validate' : ''}`;
    return `${path}?access_token=${encodeURIComponent(token)}`;
  }

  async send(req: SnapSendRequest): Promise<SnapSendResult> {
    assertValidPixelId(req.pixelId);
    const endpoint = req.validateOnly ? 'validate' : 'events';
    const body = req.body ?? JSON.stringify({ data: req.events });
    const started = Date.now();
    const logFields = {
      method: 'POST',
      host: this.host,
      pixel_id: req.pixelId,
      endpoint,
      events: req.events.length,
      bytes: Buffer.byteLength(body),
    };

    let res: Response;
    try {
      res = await fetch(this.url(req.pixelId, req.accessToken, req.validateOnly), {
        method: 'POST',
        // W3C traceparent of the active request span (ids only), so a trace reaches the request.
        headers: { 'content-type': 'application/json', ...traceHeaders() },
        body,
        // Never follow a redirect: it would carry the token-bearing request somewhere else.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        ...(this.opts.dispatcher ? { dispatcher: this.opts.dispatcher } : {}),
      } as RequestInit);
    } catch (e) {
      const code = networkCode(e);
      this.opts.log.warn('snap request failed before an answer', {
        ...logFields,
        error: code,
        ms: Date.now() - started,
      });
      throw new RetryableError(
        code === 'timeout'
          ? `Snapchat did not answer within ${this.opts.timeoutMs} ms`
          : `Could not reach Snapchat (${code})`,
        'network',
      );
    }

    let text = '';
    try {
      text = await res.text();
    } catch (e) {
      this.opts.log.warn('snap answer was cut off', { ...logFields, status: res.status, error: networkCode(e) });
      throw new RetryableError(`Snapchat's answer was cut off (HTTP ${res.status})`, 'network', res.status);
    }
    let parsed: Record<string, unknown> | null = null;
    try {
      const v: unknown = text ? JSON.parse(text) : null;
      parsed = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      parsed = null;
    }
    const status = res.status;
    const snapStatus = typeof parsed?.['status'] === 'string' ? (parsed['status'] as string).toUpperCase() : '';
    this.opts.log.info('snap request', {
      ...logFields,
      status,
      snap_status: snapStatus || null,
      ms: Date.now() - started,
    });

    if (status >= 200 && status < 300) {
      const logs = eventLogsOf(parsed);
      const eventErrors = (logs ?? []).filter((l) => FAILED_STATUSES.has(l.status));
      // Per-event verdicts decide when Snap gave them; otherwise a failed status refuses the whole request.
      if (FAILED_STATUSES.has(snapStatus) && !eventErrors.length) {
        throw this.rejected(parsed, status);
      }
      if (eventErrors.length) {
        this.opts.log.warn('snap refused some events of the request', {
          ...logFields,
          status,
          refused: eventErrors.length,
        });
      }
      return {
        httpStatus: status,
        status: snapStatus || 'VALID',
        reason: typeof parsed?.['reason'] === 'string' ? (parsed['reason'] as string) : null,
        eventErrors,
      };
    }
    const message = snapMessage(parsed, `Snapchat answered HTTP ${status}`);
    if (status === 401 || status === 403)
      throw new InvalidAuthenticationError(message, 'invalid_authentication', status);
    if (status === 404) throw new InvalidAuthenticationError(message, 'pixel_not_found', status);
    if (status === 413) throw new PayloadTooLargeError(message);
    if (status === 429) {
      throw new RateLimitedError(message, parseRetryAfter(res.headers.get('retry-after')) ?? -1);
    }
    // Every 5xx is retried, 501 included (docs/snap-capi.md "Retry rules": 408, 429 and 5xx are retried; a 501 from an
    // edge proxy or a fault is as transient as a 503, and retrying costs nothing but time), and so is a redirect: it is
    // never followed (it would carry the token-bearing URL elsewhere), the event did not land, and the next attempt may
    // not be redirected. A persistent one ends at the retry horizon.
    if (isRetryableStatus(status) || status >= 500) throw new RetryableError(message, 'upstream_unavailable', status);
    if (status >= 300 && status < 400) {
      throw new RetryableError(
        `Snapchat answered with a redirect (HTTP ${status}), which is never followed`,
        'upstream_unavailable',
        status,
      );
    }
    // A 400 is a payload rejection whatever its text says (a message naming "token" may be about an event field):
    // it is split to isolate the bad events, and a bad token that Snap reports as 400 ends as `snap_rejected` with
    // Snap's message, one event at a time.
    throw this.rejected(parsed, status, status === 400 || status === 422);
  }

  private rejected(parsed: Record<string, unknown> | null, status: number, splittable = true): SnapRejectedError {
    const index =
      typeof parsed?.['event'] === 'number' && Number.isInteger(parsed['event']) ? (parsed['event'] as number) : null;
    const logs = eventLogsOf(parsed);
    return new SnapRejectedError(
      snapMessage(parsed, `Snapchat rejected the request (HTTP ${status})`),
      status,
      index,
      logs,
      snapCodes(parsed),
      splittable,
    );
  }
}
