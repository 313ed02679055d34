import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
import { isPiiRole, type PiiRole } from '@snaptrack/util-pii';

/**
 * Which parameter carries which field: RedTrack's default names, or the ones an offer source configured (its
 * `params` and its `roles`). Pure.
 */

/** Parameter names for one offer source (its configuration), falling back to RedTrack's defaults. */
export interface ParamNames {
  clickId: string;
  payout: string;
  type: string;
  eventId: string[];
  transactionId: string[];
  currency: string;
  token: string;
  roles: Array<{ param: string; role: PiiRole }>;
}

export const DEFAULT_CLICK_ID_PARAM = 'clickid';

/** Default parameter names per customer-data role (also used for postbacks whose click is not known yet). */
export const DEFAULT_ROLE_PARAMS: Array<{ param: string; role: PiiRole }> = [
  { param: 'email', role: 'email' },
  { param: 'phone', role: 'phone' },
  { param: 'fname', role: 'first_name' },
  { param: 'first_name', role: 'first_name' },
  { param: 'lname', role: 'last_name' },
  { param: 'last_name', role: 'last_name' },
  { param: 'zip', role: 'zip' },
  { param: 'city', role: 'city' },
  { param: 'state', role: 'state' },
  { param: 'country', role: 'country' },
  { param: 'external_id', role: 'external_id' },
];

const ROLE_ALIASES: Record<string, PiiRole | 'event_id' | 'transaction_id'> = {
  fname: 'first_name',
  firstname: 'first_name',
  first_name: 'first_name',
  lname: 'last_name',
  lastname: 'last_name',
  last_name: 'last_name',
  zip: 'zip',
  zipcode: 'zip',
  zip_code: 'zip',
  postal_code: 'zip',
  postcode: 'zip',
  phone: 'phone',
  phone_number: 'phone',
  email: 'email',
  email_address: 'email',
  city: 'city',
  state: 'state',
  region: 'state',
  country: 'country',
  external_id: 'external_id',
  externalid: 'external_id',
  user_id: 'external_id',
  event_id: 'event_id',
  eventid: 'event_id',
  transaction_id: 'transaction_id',
  txid: 'transaction_id',
};

/** An offer source's role label ("Phone", "First Name", "zip_code", …) → our role, or null for roles we ignore. */
export function toRole(label: string): PiiRole | 'event_id' | 'transaction_id' | null {
  const k = label
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (isPiiRole(k)) return k;
  return ROLE_ALIASES[k] ?? ROLE_ALIASES[k.replace(/_/g, '')] ?? null;
}

export function paramNamesFor(
  offerSource: Pick<ConfigEntityV1.OfferSourceData, 'params' | 'roles'> | null,
): ParamNames {
  const p = offerSource?.params;
  const eventId = [p?.event_id || 'eventid'];
  const transactionId = ['txid'];
  const configured: Array<{ param: string; role: PiiRole }> = [];
  for (const r of offerSource?.roles ?? []) {
    const role = r?.param ? toRole(String(r.role ?? '')) : null;
    if (!role) continue;
    if (role === 'event_id') eventId.push(r.param);
    else if (role === 'transaction_id') transactionId.push(r.param);
    else configured.push({ param: r.param, role });
  }
  if (!eventId.includes('eventid')) eventId.push('eventid');
  return {
    clickId: p?.click_id || DEFAULT_CLICK_ID_PARAM,
    payout: p?.payout || 'sum',
    type: p?.type || 'type',
    eventId,
    transactionId,
    currency: p?.currency || 'currency',
    token: 'token',
    // Configured roles first: they win over a default name for the same role.
    roles: [...configured, ...DEFAULT_ROLE_PARAMS],
  };
}

/** The names of a postback that no offer source configured (also a website's conversions). */
export const DEFAULT_NAMES: Readonly<ParamNames> = Object.freeze(paramNamesFor(null));
