/**
 * Snapchat CAPI v3 standard event names plus the five custom slots (docs/snap-capi.md "Event names"). Spelled exactly.
 */
export const SNAP_EVENT_NAMES = [
  'PURCHASE',
  'SAVE',
  'START_CHECKOUT',
  'ADD_CART',
  'VIEW_CONTENT',
  'ADD_BILLING',
  'SIGN_UP',
  'SEARCH',
  'PAGE_VIEW',
  'SUBSCRIBE',
  'AD_CLICK',
  'AD_VIEW',
  'COMPLETE_TUTORIAL',
  'LEVEL_COMPLETE',
  'INVITE',
  'LOGIN',
  'SHARE',
  'RESERVE',
  'ACHIEVEMENT_UNLOCKED',
  'ADD_TO_WISHLIST',
  'SPENT_CREDITS',
  'RATE',
  'START_TRIAL',
  'LIST_VIEW',
  'APP_INSTALL',
  'APP_OPEN',
  'CUSTOM_EVENT_1',
  'CUSTOM_EVENT_2',
  'CUSTOM_EVENT_3',
  'CUSTOM_EVENT_4',
  'CUSTOM_EVENT_5',
] as const;
export type SnapEventName = (typeof SNAP_EVENT_NAMES)[number];
export function isSnapEventName(v: string): v is SnapEventName {
  return (SNAP_EVENT_NAMES as readonly string[]).includes(v);
}

/** Hashed user_data keys as they travel on our topics (lowercase hex SHA-256). */
export const HASHED_USER_DATA_KEYS = ['em', 'ph', 'fn', 'ln', 'zp', 'ct', 'st', 'country', 'external_id'] as const;
export type HashedUserDataKey = (typeof HASHED_USER_DATA_KEYS)[number];
export type HashedUserData = Partial<Record<HashedUserDataKey, string>>;

export const sha256HexSchema = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
export const isoTimeSchema = { type: 'string', format: 'date-time' } as const;
export const nullable = (s: object) => ({ anyOf: [s, { type: 'null' }] });
export const hashedUserDataSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(HASHED_USER_DATA_KEYS.map((k) => [k, sha256HexSchema])),
} as const;
