// Identifier shapes every service agrees on (config-service when a pixel is saved, the dispatcher before a send,
// the sandbox as Snap answers). Contracts import nothing of ours, so these are plain functions over strings.

/** A UUID in its canonical 8-4-4-4-12 hexadecimal form, any case (the version and variant bits are not checked). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/**
 * A Snap Pixel ID (docs/snap-capi.md "Endpoints and authentication"): a UUID, compared case-insensitively, never
 * the nil UUID (a placeholder, not a pixel). Stored, keyed and sent in lower case: see canonicalPixelId.
 */
export function isSnapPixelId(value: unknown): value is string {
  return isUuid(value) && value.toLowerCase() !== NIL_UUID;
}

/** The form a pixel id is stored, compared and sent in: trimmed, lower case. */
export function canonicalPixelId(value: string): string {
  return value.trim().toLowerCase();
}
