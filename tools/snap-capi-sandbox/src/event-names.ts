// Snap CAPI event names accepted by the sandbox (docs/snap-capi.md "Event names": the v2-era list, applied strictly).
// Names are matched exactly: UPPER_SNAKE, no aliases. `ADD_TO_CART` and `SPEND_CREDITS` are the classic traps.

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

const NAMES: ReadonlySet<string> = new Set(SNAP_EVENT_NAMES);

export function isSnapEventName(value: unknown): value is SnapEventName {
  return typeof value === 'string' && NAMES.has(value);
}

/** Common misspellings, used only to make the rejection message point at the right name. */
export const EVENT_NAME_HINTS: Readonly<Record<string, SnapEventName>> = {
  ADD_TO_CART: 'ADD_CART',
  SPEND_CREDITS: 'SPENT_CREDITS',
  CHECKOUT: 'START_CHECKOUT',
  INITIATE_CHECKOUT: 'START_CHECKOUT',
  LEAD: 'SIGN_UP',
  COMPLETE_REGISTRATION: 'SIGN_UP',
  PAGEVIEW: 'PAGE_VIEW',
  ADD_TO_WISH_LIST: 'ADD_TO_WISHLIST',
};
