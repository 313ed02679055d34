import type { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { deriveConversionEventId } from '@snaptrack/util-pii';

/**
 * Pure: Snap's `event_id` for one (conversion, pixel), docs/snap-capi.md "Event ID and deduplication".
 *   1. an explicit event id sent with the conversion → verbatim (conversion-service already trimmed it);
 *   2. `PURCHASE` (the event name mapped on this pixel) with a transaction id → the transaction id (trimmed);
 *   3. otherwise the derived hash, which conversion-service already put in `event_id`.
 * Rule 2 depends on the pixel's mapping, so the sender decides it when it first claims the ledger row and fixes the
 * result on the row: every retry, restart and re-delivery then sends the same id (see DeliveryService.claim).
 */

export type EventIdOrigin = 'explicit' | 'derived' | 'unknown';

function present(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  return v === '' ? undefined : v;
}

/**
 * Whether `event_id` is the postback's own id or the derived hash. conversion.created.v1's optional
 * `explicit_event_id` says so; when it is absent, the id is known to be derived only if it equals the rule-3 hash
 * recomputed from the conversion's own fields (an explicit id that happens to equal that hash would need someone to
 * construct it on purpose). Anything else is `unknown`, and the id is kept as it is.
 */
export function eventIdOrigin(
  conv: Pick<
    ConversionCreatedV1.Value,
    'event_id' | 'explicit_event_id' | 'postback_click_id' | 'type' | 'transaction_id' | 'conversion_id'
  >,
): EventIdOrigin {
  if (conv.explicit_event_id === true) return 'explicit';
  if (conv.explicit_event_id === false) return 'derived';
  const derived = deriveConversionEventId({
    clickId: conv.postback_click_id ?? '',
    conversionType: conv.type,
    transactionId: conv.transaction_id,
    conversionId: conv.conversion_id,
  });
  return conv.event_id === derived ? 'derived' : 'unknown';
}

/** The `event_id` to send for this conversion to a pixel that maps it to `snapEventName`. */
export function snapEventIdFor(
  conv: Pick<
    ConversionCreatedV1.Value,
    'event_id' | 'explicit_event_id' | 'postback_click_id' | 'type' | 'transaction_id' | 'conversion_id'
  >,
  snapEventName: string | null,
): string {
  const transactionId = present(conv.transaction_id);
  if (snapEventName === 'PURCHASE' && transactionId !== undefined && eventIdOrigin(conv) === 'derived')
    return transactionId;
  return conv.event_id;
}
