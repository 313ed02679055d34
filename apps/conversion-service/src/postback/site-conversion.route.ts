import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, sendJson, type Route } from '@snaptrack/util-http';
import type { ConfigViewService } from '../config-view/config-view.service';
import { hostnameOf, sha256Hex } from './attribution';
import { PostbackRejection, type RawParams } from './postback.parse';
import type { PostbackService } from './postback.service';

/**
 * Conversions from an advertiser's own website (an offer of kind `website`):
 *
 * - `POST /conversions`: the shop's backend (a Shopify / WooCommerce webhook handler), authenticated with the
 *   website's conversion secret (`Authorization: Bearer wss_…`);
 * - `POST /conversions/browser`: the thank-you page, through `snaptrack.conversion()` of `/track.js`; authorised by the
 *   page's `Origin` (one of the website's allowed origins, answered with CORS for that origin only), a click id that
 *   must be a known click, and a per-click rate limit.
 *
 * Both read the same JSON body ({@link siteConversionParams}) into postback parameters under their default names and
 * make the same service call, so attribution, the duplicate policy, the replay key and hashing are the postback's.
 */

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
  throw new PostbackRejection(400, 'invalid_json', `"${name.slice(0, 64)}" must be a string or a number`);
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
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new PostbackRejection(400, 'invalid_json', 'the body must be a JSON object in UTF-8');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new PostbackRejection(400, 'invalid_json', 'the body must be a JSON object');
  const obj = parsed as Record<string, unknown>;
  const params: RawParams = new Map();
  for (const [field, param] of Object.entries(FIELDS)) {
    const v = scalar(field, obj[field]);
    if (v !== null && !params.has(param)) params.set(param, v);
  }
  const customer = obj.customer;
  if (customer !== undefined && customer !== null) {
    if (typeof customer !== 'object' || Array.isArray(customer))
      throw new PostbackRejection(400, 'invalid_json', '"customer" must be an object');
    for (const field of CUSTOMER_FIELDS) {
      const v = scalar(`customer.${field}`, (customer as Record<string, unknown>)[field]);
      if (v !== null && !params.has(FIELDS[field])) params.set(FIELDS[field], v);
    }
  }
  return params;
}

/** `Authorization: Bearer <secret>` → the secret, or null. */
export function bearerSecret(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}

/** At most `limit` browser conversions per click id per minute (this instance; a fixed one-minute window). */
export class PerKeyLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  allow(key: string): boolean {
    if (this.limit <= 0) return true;
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= 60_000) {
      if (this.windows.size >= 100_000) this.sweep(t);
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    return w.count <= this.limit;
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= 60_000) this.windows.delete(k);
    if (this.windows.size >= 100_000) this.windows.clear();
  }
}

async function readSiteBody(req: IncomingMessage): Promise<RawParams> {
  const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  // text/plain too: a page may send JSON as a simple request (no preflight); the Origin check is the same.
  if (ct !== 'application/json' && ct !== 'text/plain')
    throw new PostbackRejection(415, 'unsupported_media_type', 'send the conversion as application/json');
  let body: Buffer;
  try {
    body = await readBody(req, MAX_SITE_BODY_BYTES);
  } catch (e) {
    if (e instanceof HttpError && e.status === 413)
      throw new PostbackRejection(413, 'body_too_large', `the body is larger than ${MAX_SITE_BODY_BYTES} bytes`);
    throw e;
  }
  return siteConversionParams(body);
}

/** The `Origin` header as browsers send it (`scheme://host[:port]`), or null (absent, `null`, malformed). */
export function requestOrigin(req: IncomingMessage): string | null {
  const v = req.headers.origin;
  if (typeof v !== 'string' || !/^https?:\/\/[^/\s]+$/i.test(v)) return null;
  try {
    const u = new URL(v);
    return u.origin === 'null' ? null : u.origin;
  } catch {
    return null;
  }
}

export interface SiteConversionRouteOptions {
  /** Browser conversions accepted per click id per minute and instance (0 = no limit). */
  browserPerClickPerMinute: number;
}

export function siteConversionRoutes(
  service: PostbackService,
  domains: Pick<ConfigViewService, 'trackingDomainForHost'>,
  opts: SiteConversionRouteOptions,
): Route[] {
  const limiter = new PerKeyLimiter(opts.browserPerClickPerMinute);

  /** As for postbacks: a Host that names a tracking domain serves only once its account verified it. */
  const checkHost = async (req: IncomingMessage): Promise<string | null> => {
    const host = hostnameOf(req.headers.host);
    const domain = await domains.trackingDomainForHost(host);
    if (domain && !domain.verified)
      throw new PostbackRejection(
        404,
        'domain_not_verified',
        'this tracking domain is not verified; it accepts no conversions until its owner verifies it',
      );
    return host;
  };

  const server = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const host = await checkHost(req);
      const secret = bearerSecret(req.headers.authorization);
      const params = await readSiteBody(req);
      const answer = await service.handleSite(
        params,
        { kind: 'secret', secretSha256: secret === null ? null : sha256Hex(secret) },
        host,
      );
      sendJson(res, answer.http, answer.body);
    } catch (e) {
      if (e instanceof PostbackRejection) return sendJson(res, e.status, { error: e.error, reason: e.reason });
      throw e;
    }
  };

  const browser = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = requestOrigin(req);
    // The answer is readable only by an allowed origin's page: CORS names that origin once the click's website
    // accepted it, never `*`, and no credentials are involved (the click id travels in the body).
    const cors = (ok: boolean): Record<string, string> =>
      ok && origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
    if (req.method === 'OPTIONS') {
      // A preflight carries no body, so no click: allow the method and header; the POST itself is checked.
      res.writeHead(204, {
        ...(origin ? { 'access-control-allow-origin': origin } : {}),
        vary: 'Origin',
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    try {
      const host = await checkHost(req);
      if (!origin)
        throw new PostbackRejection(
          403,
          'origin_not_allowed',
          'a browser conversion must carry the Origin of its page',
        );
      const params = await readSiteBody(req);
      const clickId = params.get('clickid');
      if (clickId && !limiter.allow(clickId))
        throw new PostbackRejection(429, 'rate_limited', 'too many conversions for this click; retry in a minute');
      const answer = await service.handleSite(params, { kind: 'origin', origin }, host);
      sendJson(res, answer.http, answer.body, cors(true));
    } catch (e) {
      if (e instanceof PostbackRejection) {
        // A refused origin gets no CORS header: its page cannot even read why.
        return sendJson(res, e.status, { error: e.error, reason: e.reason }, cors(e.error !== 'origin_not_allowed'));
      }
      throw e;
    }
  };

  return [
    { method: ['POST'], path: '/conversions', handler: server },
    { method: ['POST', 'OPTIONS'], path: '/conversions/browser', handler: browser },
  ];
}
