import { DEFAULT_NAMES } from './postback.names';
import { checkSizes, decodeUtf8, ParseError, type RawParams } from './postback.params';
import { readPostback } from './postback.parse';
import type { SiteConversion } from './postback.reader';

/** Raw body limit of a website conversion (a JSON object of a few short fields). */
export const MAX_SITE_BODY_BYTES = 16 * 1024;

/** JSON field → postback parameter (default names, see `paramNamesFor(null)`). */
const FIELDS: Record<string, string> = {
  click_id: 'clickid',
  clickid: 'clickid',
  type: 'type',
  value: 'sum',
  currency: 'currency',
  event_id: 'eventid',
  order_id: 'txid',
  email: 'email',
  phone: 'phone',
  first_name: 'fname',
  last_name: 'lname',
  zip: 'zip',
  city: 'city',
  state: 'state',
  country: 'country',
  external_id: 'external_id',
};

/** Customer fields also read from a nested `customer` object (the shape of Shopify's and WooCommerce's orders). */
const CUSTOMER_FIELDS = ['email', 'phone', 'first_name', 'last_name', 'zip', 'city', 'state', 'country', 'external_id'];

function scalar(name: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new ParseError('invalid_json', `"${name.slice(0, 64)}" must be a string or a number`);
}

/**
 * The JSON body of a website conversion → postback parameters. Fields: `click_id` (required), `type`, `value`,
 * `currency`, `event_id` (becomes Snap's event_id verbatim: pass the same id to the Snap Pixel as `client_dedup_id`),
 * `order_id`, and customer data `email`, `phone`, `first_name`, `last_name`, `zip`, `city`, `state`, `country`,
 * `external_id` (top level, or inside `customer`; top level wins). Other fields are ignored; nothing else (a `secret`,
 * say) can reach the postback path.
 */
export function siteConversionParams(body: Buffer): RawParams {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8(body));
  } catch {
    throw new ParseError('invalid_json', 'the body must be a JSON object in UTF-8');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ParseError('invalid_json', 'the body must be a JSON object');
  const obj = parsed as Record<string, unknown>;
  const params: RawParams = new Map();
  for (const [field, param] of Object.entries(FIELDS)) {
    const v = scalar(field, obj[field]);
    if (v !== null && !params.has(param)) params.set(param, v);
  }
  const customer = obj.customer;
  if (customer !== undefined && customer !== null) {
    if (typeof customer !== 'object' || Array.isArray(customer))
      throw new ParseError('invalid_json', '"customer" must be an object');
    for (const field of CUSTOMER_FIELDS) {
      const v = scalar(`customer.${field}`, (customer as Record<string, unknown>)[field]);
      if (v !== null && !params.has(FIELDS[field])) params.set(FIELDS[field], v);
    }
  }
  return params;
}

/**
 * A website conversion's parameters → its validated fields, under the default names, as a postback's. The order id
 * is the event id when none is given: what the call answers is then what Snapchat receives (an explicit id is sent
 * verbatim; a derived one would be replaced by the order id for purchases).
 */
export function readSiteConversion(params: RawParams): SiteConversion {
  checkSizes(params);
  const orderId = params.get('txid');
  if (!params.get('eventid')?.trim() && orderId?.trim()) params.set('eventid', orderId);
  return { params, fields: readPostback(params, DEFAULT_NAMES) };
}
