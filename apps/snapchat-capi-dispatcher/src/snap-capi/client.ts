import {
  InvalidAuthenticationError,
  RateLimitedError,
  RetryableError,
  isRetryableStatus,
} from '@snaptrack/util-errors';
import { assertValidPixelId } from './validate';
import { SNAP_CAPI_VERSION } from './versioning-info';
import { traceHeaders } from '@snaptrack/util-observability';
import {
  FAILED_STATUSES,
  PayloadTooLargeError,
  type SnapCapiClientOptions,
  SnapRejectedError,
  type SnapSendRequest,
  type SnapSendResult,
  eventLogsOf,
  networkCode,
  parseRetryAfter,
  snapCodes,
  snapMessage,
} from './answer';

export {
  PayloadTooLargeError,
  SnapRejectedError,
  parseRetryAfter,
  type SnapCapiClientOptions,
  type SnapEventLog,
  type SnapSendRequest,
  type SnapSendResult,
} from './answer';

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
