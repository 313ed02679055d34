import { sha256Hex } from './hash';

/**
 * Snap CAPI `event_id` (dedup key), docs/snap-capi.md "Event ID and deduplication". Deterministic: the same inputs
 * always give the same id, so every retry or rebuild of one conversion sends the same `event_id`.
 */
export interface EventIdInput {
  /**
   * An event id sent with the conversion; must equal the pixel's `client_dedup_id`, so it is used verbatim (trimmed).
   */
  explicitEventId?: string | null;
  /** The Snap event name the conversion is delivered as (`PURCHASE`, `SIGN_UP`, …). */
  snapEventName?: string | null;
  /** The advertiser's transaction / order id, if any. */
  transactionId?: string | null;
  clickId: string;
  conversionType: string;
  /** Our own conversion id. */
  conversionId: string;
}

export type ConversionEventIdInput = Omit<EventIdInput, 'snapEventName'>;

function present(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  return v === '' ? undefined : v;
}

/** Rule 3: lowercase hex sha256(`${clickId}|${conversionType}|${transactionId ?? conversionId}`). */
function derivedId(input: ConversionEventIdInput): string {
  const tail = present(input.transactionId) ?? input.conversionId;
  return sha256Hex(`${input.clickId}|${input.conversionType}|${tail}`);
}

/**
 * Precedence:
 * 1. `explicitEventId`, trimmed, never hashed;
 * 2. for `PURCHASE` with a transaction id, the transaction id (trimmed);
 * 3. otherwise lowercase hex sha256(`${clickId}|${conversionType}|${transactionId ?? conversionId}`) (64 chars).
 * Blank strings count as absent. Rule 2 makes the result depend on `snapEventName`, i.e. on the pixel's event
 * mapping; see {@link deriveConversionEventId} for an id that does not.
 */
export function deriveEventId(input: EventIdInput): string {
  const explicit = present(input.explicitEventId);
  if (explicit !== undefined) return explicit;
  const transactionId = present(input.transactionId);
  if (transactionId !== undefined && present(input.snapEventName)?.toUpperCase() === 'PURCHASE') return transactionId;
  return derivedId(input);
}

/**
 * Conversion-level variant, independent of any Snap event mapping: rule 1, else rule 3 (rule 2 never applies).
 * Use it where the Snap event name is not known or may change later (e.g. an id fixed when the conversion is
 * recorded). Equal to {@link deriveEventId} for every input except a `PURCHASE` with a transaction id.
 */
export function deriveConversionEventId(input: ConversionEventIdInput): string {
  return present(input.explicitEventId) ?? derivedId(input);
}
