import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, type Route } from '@snaptrack/util-http';
import type { ConfigViewService } from '../config-view/config-view.service';
import { hostnameOf, sha256Hex } from './attribution';
import { sendOutcome, sendRefusal, type RefusalCode } from './postback.http';
import { ParseError, parsing, type RawParams } from './postback.params';
import type { PostbackReader, SiteAuth } from './postback.reader';
import type { PostbackService } from './postback.service';
import { MAX_SITE_BODY_BYTES, readSiteConversion, siteConversionParams } from './site-conversion.parse';

/**
 * Conversions from an advertiser's own website (an offer of kind `website`):
 *
 * - `POST /conversions`: the shop's backend (a Shopify / WooCommerce webhook handler), authenticated with the
 *   website's conversion secret (`Authorization: Bearer wss_…`);
 * - `POST /conversions/browser`: the thank-you page, through `snaptrack.conversion()` of `/track.js`; authorised by the
 *   page's `Origin` (one of the website's allowed origins, answered with CORS for that origin only), a click id that
 *   must be a known click, and a per-click rate limit.
 *
 * Both parse the same JSON body ({@link siteConversionParams}) into a postback's fields under the default names, and
 * the reader makes it the same typed `Postback` a network's postback becomes, so attribution, the duplicate policy,
 * the replay key and hashing are the postback's.
 */

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
    throw new ParseError('unsupported_media_type', 'send the conversion as application/json');
  let body: Buffer;
  try {
    body = await readBody(req, MAX_SITE_BODY_BYTES);
  } catch (e) {
    if (e instanceof HttpError && e.status === 413)
      throw new ParseError('body_too_large', `the body is larger than ${MAX_SITE_BODY_BYTES} bytes`);
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

/** A refusal the route decides itself (before the reader). */
class Refusal {
  constructor(
    readonly error: RefusalCode,
    readonly reason: string,
  ) {}
}

export function siteConversionRoutes(
  reader: Pick<PostbackReader, 'readSite'>,
  service: Pick<PostbackService, 'record' | 'eventIdOf'>,
  domains: Pick<ConfigViewService, 'trackingDomainForHost'>,
  opts: SiteConversionRouteOptions,
): Route[] {
  const limiter = new PerKeyLimiter(opts.browserPerClickPerMinute);

  /** As for postbacks: a Host that names a tracking domain serves only once its account verified it. */
  const verifiedHost = async (req: IncomingMessage): Promise<string | null | Refusal> => {
    const host = hostnameOf(req.headers.host);
    const domain = await domains.trackingDomainForHost(host);
    if (domain && !domain.verified)
      return new Refusal(
        'domain_not_verified',
        'this tracking domain is not verified; it accepts no conversions until its owner verifies it',
      );
    return host;
  };

  /** Body → fields → typed postback → outcome → HTTP; `cors` gives the headers of an answer (refused or not). */
  const convert = async (
    req: IncomingMessage,
    res: ServerResponse,
    host: string | null,
    auth: SiteAuth,
    cors: (error: RefusalCode | null) => Record<string, string> | undefined,
  ): Promise<void> => {
    const refuse = (r: { error: RefusalCode; reason: string }) => sendRefusal(res, r, cors(r.error));
    const params = await parsing(() => readSiteBody(req));
    if (!params.ok) return refuse(params.error);
    const clickId = params.value.get('clickid');
    if (auth.kind === 'origin' && clickId && !limiter.allow(clickId))
      return refuse(new Refusal('rate_limited', 'too many conversions for this click; retry in a minute'));
    const site = await parsing(() => readSiteConversion(params.value));
    if (!site.ok) return refuse(site.error);
    const postback = await reader.readSite(site.value, auth, host);
    if (!postback.ok) return refuse(postback.error);
    const outcome = await service.record(postback.value);
    if (outcome.kind === 'rejected') return refuse(outcome);
    let eventId = '';
    if (outcome.kind === 'recorded') eventId = outcome.eventId;
    else if (outcome.kind === 'duplicate') eventId = (await service.eventIdOf(outcome.conversionId)) ?? '';
    sendOutcome(res, outcome, outcome.kind === 'ignored' ? {} : { event_id: eventId }, cors(null));
  };

  const server = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = await verifiedHost(req);
    if (host instanceof Refusal) return sendRefusal(res, host);
    const secret = bearerSecret(req.headers.authorization);
    const auth: SiteAuth = { kind: 'secret', secretSha256: secret === null ? null : sha256Hex(secret) };
    await convert(req, res, host, auth, () => undefined);
  };

  const browser = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = requestOrigin(req);
    // The answer is readable only by an allowed origin's page: CORS names that origin once the click's website
    // accepted it, never `*`, and no credentials are involved (the click id travels in the body). A refused origin
    // gets no CORS header: its page cannot even read why.
    const cors = (error: RefusalCode | null): Record<string, string> =>
      error !== 'origin_not_allowed' && origin
        ? { 'access-control-allow-origin': origin, vary: 'Origin' }
        : { vary: 'Origin' };
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
    const host = await verifiedHost(req);
    if (host instanceof Refusal) return sendRefusal(res, host, cors(host.error));
    if (!origin)
      return sendRefusal(
        res,
        new Refusal('origin_not_allowed', 'a browser conversion must carry the Origin of its page'),
        cors('origin_not_allowed'),
      );
    await convert(req, res, host, { kind: 'origin', origin }, cors);
  };

  return [
    { method: ['POST'], path: '/conversions', handler: server },
    { method: ['POST', 'OPTIONS'], path: '/conversions/browser', handler: browser },
  ];
}
