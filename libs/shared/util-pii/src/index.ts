export { PII_ROLES, SNAP_USER_DATA_KEY, ROLE_BY_SNAP_KEY, isPiiRole } from './roles';
export type { PiiRole, SnapUserDataKey } from './roles';

export { sha256Hex, isSha256Hex, EMPTY_STRING_SHA256 } from './hash';

export {
  normalize,
  normalizeEmail,
  normalizePhone,
  normalizeName,
  normalizeFirstName,
  normalizeLastName,
  normalizeCity,
  normalizeState,
  normalizeZip,
  normalizeCountry,
  normalizeExternalId,
} from './normalize';
export type { DropReason, NormalizeResult, NormalizeOptions } from './normalize';

export { normalizeAndHash, hashUserData } from './pii';
export type { PiiOptions, PiiHashResult, HashedUserData } from './pii';

export { COUNTRIES, COUNTRY_CODES, toCountryCode, countryLookupKey } from './countries';
export type { CountryEntry } from './countries';

export { US_STATES, US_STATE_CODES, toUsStateCode, usStateLookupKey } from './us-states';

export { deriveEventId, deriveConversionEventId } from './event-id';
export type { EventIdInput, ConversionEventIdInput } from './event-id';

export { REDACTED, looksLikePii, scrubValue, scrubParams, scrubUrl } from './scrub';
