import { createHash } from 'node:crypto';
import { DeliveryCommandV1, type ConversionCreatedV1 } from '@snaptrack/contracts-events';
import type { Destination, EventProblem, SendOutcome } from '@snaptrack/delivery-engine';
import { InvalidAuthenticationError, RateLimitedError, toAppError } from '@snaptrack/util-errors';
import { PayloadTooLargeError, SnapRejectedError, type SnapCapiClient, type SnapSendResult } from './client';
import { snapEventIdFor } from './event-id';
import { authFailureMessage } from './messages';
import { toSnapEvent, type SnapEvent } from './mapping';
import { SnapEventInvalid, assertValidPixelId, assertValidSnapEvent } from './validate';
import { SNAP_MAX_EVENTS_PER_REQUEST, SNAP_MAX_EVENT_AGE_SECONDS } from './versioning-info';

/** One Snap pixel placement as the engine sees it: where to send, and what the pixel's settings make of an event. */
export interface SnapTarget {
  pixelId: string;
  /** The Snap event name the pixel maps the conversion type to (fixed on the ledger row). */
  eventName: string;
  limitedDataUse: boolean;
  /** Test mode: /events/validate, which records nothing. */
  testMode: boolean;
  /** The offer URL, when the click has no usable landing URL. */
  fallbackUrl?: string | null;
  /** The offer source's default currency, when the conversion has a payout but no currency. */
  defaultCurrency?: string | null;
}

const ENVELOPE_BYTES = Buffer.byteLength('{"data":[]}');

/**
 * Snapchat's Conversions API v3 as a delivery-engine Destination (docs/snap-capi.md): the event is built by
 * mapping.ts, checked by validate.ts, sent by client.ts, and the client's error classes are mapped onto the engine's
 * outcomes here. The purchase event_id rule (a derived id of a PURCHASE with a transaction id becomes the
 * transaction id) is event-id.ts.
 */
export class SnapchatDestination implements Destination<
  ConversionCreatedV1.Value,
  SnapTarget,
  SnapEvent,
  string,
  SnapSendResult
> {
  readonly name = DeliveryCommandV1.SNAPCHAT_CAPI_DESTINATION;
  readonly limits;

  constructor(
    private readonly client: SnapCapiClient,
    private readonly opts: { integration: string; maxRequestBytes: number; maxEventsPerRequest?: number },
  ) {
    this.limits = {
      maxEventsPerRequest: Math.min(
        SNAP_MAX_EVENTS_PER_REQUEST,
        opts.maxEventsPerRequest ?? SNAP_MAX_EVENTS_PER_REQUEST,
      ),
      maxBytesPerRequest: opts.maxRequestBytes,
      envelopeBytes: ENVELOPE_BYTES,
      separatorBytes: 1,
      maxEventAgeMs: SNAP_MAX_EVENT_AGE_SECONDS * 1000,
    };
  }

  eventId(conversion: ConversionCreatedV1.Value, target: SnapTarget): string {
    return snapEventIdFor(conversion, target.eventName);
  }

  buildEvent(conversion: ConversionCreatedV1.Value, target: SnapTarget, eventId: string): SnapEvent {
    return toSnapEvent(
      conversion,
      { eventName: target.eventName, limitedDataUse: target.limitedDataUse },
      {
        eventId,
        integration: this.opts.integration,
        fallbackUrl: target.fallbackUrl ?? null,
        defaultCurrency: target.defaultCurrency ?? null,
      },
    );
  }

  validate(event: SnapEvent, target: SnapTarget, nowMs: number): EventProblem | null {
    try {
      assertValidPixelId(target.pixelId.trim());
      assertValidSnapEvent(event, nowMs);
      return null;
    } catch (e) {
      const err = toAppError(e);
      return { reasonCode: e instanceof SnapEventInvalid ? e.reasonCode : err.code, message: err.message };
    }
  }

  serialize(event: SnapEvent): string {
    return JSON.stringify(event);
  }

  send(events: SnapEvent[], accessToken: string, target: SnapTarget): Promise<SnapSendResult> {
    return this.client.send({ pixelId: target.pixelId, accessToken, validateOnly: target.testMode, events });
  }

  classify(result: { ok: SnapSendResult } | { error: unknown }, events: SnapEvent[], target: SnapTarget): SendOutcome {
    if ('ok' in result) {
      const r = result.ok;
      return { kind: 'accepted', httpStatus: r.httpStatus, eventErrors: r.eventErrors.map(refused) };
    }
    const e = result.error;
    if (e instanceof SnapRejectedError) {
      const status = e.httpStatus ?? null;
      // /events/validate judged every event: the VALID ones passed (test mode, nothing recorded), the others failed.
      if (e.eventLogs && e.eventLogs.length === events.length) {
        const verdicts = new Map(e.eventLogs.map((l) => [l.event, l]));
        const eventErrors = events.flatMap((_, i) => {
          const v = verdicts.get(i);
          if (v?.status === 'VALID') return [];
          return [{ ...refused(v ?? { event: i, status: 'INVALID', message: e.message }), httpStatus: status ?? 400 }];
        });
        // The VALID ones passed with a 200 of their own; each refused one keeps the answer's status.
        return { kind: 'accepted', httpStatus: 200, eventErrors };
      }
      return {
        kind: 'rejected',
        httpStatus: status,
        reasonCode: 'snap_rejected',
        message: e.message,
        splittable: e.splittable,
        culprit: e.eventIndex,
      };
    }
    if (e instanceof PayloadTooLargeError) {
      return {
        kind: 'rejected',
        httpStatus: 413,
        reasonCode: 'payload_too_large',
        message: e.message,
        splittable: true,
      };
    }
    if (e instanceof InvalidAuthenticationError) {
      // The sentence the sender writes too: what to fix in Snap Ads Manager or Business Manager.
      return { kind: 'auth', httpStatus: e.httpStatus ?? null, ...authFailureMessage(target.pixelId, e) };
    }
    if (e instanceof RateLimitedError) {
      return {
        kind: 'retry',
        httpStatus: 429,
        reasonCode: 'rate_limited',
        message: e.message,
        // The client gives -1 when Snap sent no (readable) Retry-After: the caller's backoff decides then.
        retryAfterMs: e.retryAfterMs >= 0 ? e.retryAfterMs : null,
        credentialWide: true,
      };
    }
    const err = toAppError(e);
    const reasonCode = err.code === 'unknown' ? 'upstream_unavailable' : err.code;
    return { kind: 'retry', httpStatus: err.httpStatus ?? null, reasonCode, message: err.message };
  }

  /** Snap limits per token: the key is a digest of it (never the token). */
  credentialKey(accessToken: string): string {
    return createHash('sha256').update(accessToken).digest('hex').slice(0, 16);
  }
}

function refused(l: { event: number; status: string; message: string | null }) {
  return {
    index: l.event,
    reasonCode: 'snap_rejected',
    message: l.message ?? `Snapchat refused this event (status ${l.status}).`,
  };
}
