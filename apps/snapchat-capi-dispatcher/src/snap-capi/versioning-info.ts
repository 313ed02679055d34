/**
 * The Snapchat Conversions API version this destination speaks. A version bump touches this constant, mapping.ts,
 * validate.ts and their fixtures. Reference: https://developers.snap.com/api/marketing-api/Conversions-API/UsingTheAPI
 * (our own summary: docs/snap-capi.md).
 */
export const SNAP_CAPI_VERSION = 'v3';
export const SNAP_CAPI_REFERENCE = 'https://developers.snap.com/api/marketing-api/Conversions-API/UsingTheAPI';
/** Events per request (Snap Go SDK README; RudderStack; Tealium). */
export const SNAP_MAX_EVENTS_PER_REQUEST = 2000;
/** Snap counts events up to 37 days old (Snap Introduction); older ones are marked too_old and never sent. */
export const SNAP_MAX_EVENT_AGE_SECONDS = 37 * 24 * 3600;
/** Our bound for events in the future (Snap documents none). */
export const SNAP_MAX_FUTURE_SECONDS = 5 * 60;
