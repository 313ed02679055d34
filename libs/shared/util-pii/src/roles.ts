/**
 * The kinds of customer data this lib knows how to normalise and hash, and the Snap CAPI v3 `user_data` key each
 * one is sent under (docs/snap-capi.md "User data"). Which keys are sent as arrays and which as strings is the
 * dispatcher's mapping concern, not this lib's.
 */
export const PII_ROLES = [
  'email',
  'phone',
  'first_name',
  'last_name',
  'zip',
  'city',
  'state',
  'country',
  'external_id',
] as const;

export type PiiRole = (typeof PII_ROLES)[number];

/** Snap v3 `user_data` key for each role. Every one of these keys carries a lowercase hex SHA-256. */
export const SNAP_USER_DATA_KEY = {
  email: 'em',
  phone: 'ph',
  first_name: 'fn',
  last_name: 'ln',
  zip: 'zp',
  city: 'ct',
  state: 'st',
  country: 'country',
  external_id: 'external_id',
} as const satisfies Record<PiiRole, string>;

export type SnapUserDataKey = (typeof SNAP_USER_DATA_KEY)[PiiRole];

/** Reverse of {@link SNAP_USER_DATA_KEY}: Snap key → role. */
export const ROLE_BY_SNAP_KEY: Readonly<Record<SnapUserDataKey, PiiRole>> = Object.freeze(
  Object.fromEntries(PII_ROLES.map((role) => [SNAP_USER_DATA_KEY[role], role])) as Record<SnapUserDataKey, PiiRole>,
);

export function isPiiRole(value: unknown): value is PiiRole {
  return typeof value === 'string' && (PII_ROLES as readonly string[]).includes(value);
}
