import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError, sendJson, type Route, clientIp, normalizeIp, type TrustedProxies } from '@snaptrack/util-http';
import type { Logger } from '@snaptrack/util-logger';
import type { ServiceMetrics } from '@snaptrack/util-observability';
import type { ClickCapture, CaptureInput, CaptureResult } from './click.capture';
import { safeRedirectUrl } from './offer-url';
import { parseQuery, splitTarget } from './query';
import { trackScript, trackScriptEtag } from './track-script';

/** `/<campaign key>`, and tolerant of Snapchat appending `&ScCid=…` to a link without `?`. */
export const CLICK_PATH = /^\/[A-Za-z0-9]{10,32}(?:&.*)?$/;
const REDIRECT_RESERVED: ReadonlySet<string> = new Set(['format']);
const DIRECT_RESERVED: ReadonlySet<string> = new Set(['cmpid', 'format', '_lp', '_ref', '_scid']);
const CORS = { 'access-control-allow-origin': '*' };
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export interface ClickRoutesOptions {
  capture: ClickCapture;
  trusted: TrustedProxies;
  maxUrlBytes: number;
  cookieDays: number;
  log: Logger;
  /** Clicks by outcome (`recorded`, the fixed reason of an unavailable campaign as a code, `refused`, `failed`). */
  metrics?: Pick<ServiceMetrics, 'click'>;
}

/** `campaign is paused` → `campaign_is_paused` (the reasons are fixed strings, never ids). */
const outcomeOf = (r: CaptureResult): string =>
  r.kind === 'recorded' ? 'recorded' : r.reason.toLowerCase().replace(/[^a-z]+/g, '_');

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' && v ? v : Array.isArray(v) && v.length ? v[0] : null;
}

/** `Trk.Example.com:8080` → `trk.example.com`, `[::1]:4002` → `::1`. */
export function hostnameOf(host: string | null): string | null {
  if (!host) return null;
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  return h.replace(/:\d+$/, '').replace(/\.$/, '') || null;
}

function fail(res: ServerResponse, e: unknown, headers: Record<string, string> = {}): void {
  if (!(e instanceof HttpError)) throw e;
  const error =
    (e.body?.error as string | undefined) ??
    (e.status >= 500 ? 'unavailable' : e.status === 414 ? 'uri_too_long' : 'bad_request');
  sendJson(res, e.status, { error, reason: e.reason }, e.status === 503 ? { ...headers, 'retry-after': '1' } : headers);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, {
    location,
    'cache-control': 'no-store',
    'content-length': '0',
    'referrer-policy': 'no-referrer-when-downgrade',
  });
  res.end();
}

/** Public click endpoints served on the subgraph's HTTP server (the tracking host forwards these paths here). */
export function clickRoutes(opts: ClickRoutesOptions): Route[] {
  const script = trackScript(opts.cookieDays);
  const etag = trackScriptEtag(script);

  /** Whether the socket's peer is a trusted proxy, decided once per connection (keep-alive serves many clicks). */
  const trustedSockets = new WeakMap<Socket, boolean>();
  const isTrustedPeer = (socket: Socket): boolean => {
    let trusted = trustedSockets.get(socket);
    if (trusted === undefined) {
      const peer = socket.remoteAddress;
      trusted = !!peer && opts.trusted.has(normalizeIp(peer));
      trustedSockets.set(socket, trusted);
    }
    return trusted;
  };

  const common = (req: IncomingMessage): Pick<CaptureInput, 'ip' | 'userAgent'> & { trustedPeer: boolean } => {
    return {
      // clientIp reads X-Forwarded-For only when there is one and the peer is trusted; else it is the peer.
      ip: clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], opts.trusted),
      userAgent: header(req, 'user-agent'),
      trustedPeer: isTrustedPeer(req.socket),
    };
  };

  /** The Host the visitor asked for (`X-Forwarded-Host` only from trusted proxies), if well-formed. */
  const requestHost = (req: IncomingMessage, trustedPeer: boolean): string | null => {
    const host =
      (trustedPeer ? header(req, 'x-forwarded-host')?.split(',')[0].trim() : undefined) ?? header(req, 'host');
    return host && HOST.test(host) ? host : null;
  };

  /** The click URL as the visitor requested it on the tracking domain (the redirect method's landing URL). */
  const requestUrl = (req: IncomingMessage, target: string, trustedPeer: boolean): string | null => {
    const fwdProto = trustedPeer ? header(req, 'x-forwarded-proto')?.split(',')[0].trim().toLowerCase() : undefined;
    const proto = fwdProto === 'https' || fwdProto === 'http' ? fwdProto : 'http';
    const host = requestHost(req, trustedPeer);
    return host ? `${proto}://${host}${target}` : null;
  };

  const capture = async (input: CaptureInput): Promise<CaptureResult> => {
    try {
      const result = await opts.capture.capture(input);
      opts.metrics?.click(outcomeOf(result), input.method);
      return result;
    } catch (e) {
      opts.metrics?.click(e instanceof HttpError && e.status < 500 ? 'refused' : 'failed', input.method);
      throw e;
    }
  };

  const tooLong = (req: IncomingMessage) => {
    if ((req.url ?? '').length > opts.maxUrlBytes)
      throw new HttpError(414, `the click URL is longer than ${opts.maxUrlBytes} bytes`);
  };

  const onRedirect = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let json = false;
    try {
      tooLong(req);
      const target = req.url ?? '/';
      const { path, query } = splitTarget(target);
      const pairs = parseQuery(query);
      json = pairs.some(([k, v]) => k === 'format' && v === 'json');
      const c = common(req);
      const result = await capture({
        method: 'redirect',
        key: path.slice(1),
        pairs,
        reserved: REDIRECT_RESERVED,
        ip: c.ip,
        userAgent: c.userAgent,
        referrer: header(req, 'referer'),
        landingUrl: requestUrl(req, target, c.trustedPeer),
        host: hostnameOf(requestHost(req, c.trustedPeer)),
      });
      if (result.kind === 'recorded') {
        if (json) return sendJson(res, 200, { clickid: result.clickId, offer_url: result.offerUrl }, CORS);
        return redirect(res, result.offerUrl);
      }
      const fallback = result.fallbackUrl ? safeRedirectUrl(result.fallbackUrl) : null;
      if (fallback && 'url' in fallback) {
        if (!json) return redirect(res, fallback.url);
        return sendJson(res, 404, { error: 'not_found', reason: result.reason, fallback_url: fallback.url }, CORS);
      }
      return sendJson(res, 404, { error: 'not_found', reason: result.reason }, json ? CORS : {});
    } catch (e) {
      return fail(res, e, json ? CORS : {});
    }
  };

  const onClickJson = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET', 'access-control-max-age': '86400' });
      res.end();
      return;
    }
    try {
      tooLong(req);
      const { query } = splitTarget(req.url ?? '/');
      const pairs = parseQuery(query);
      const first = (name: string) => pairs.find(([k]) => k === name)?.[1] ?? null;
      const key = first('cmpid');
      if (!key) throw new HttpError(400, 'cmpid (the campaign key) is required');
      const lp = first('_lp');
      const lpChecked = lp ? safeRedirectUrl(lp) : null;
      const c = common(req);
      const result = await capture({
        method: 'direct',
        key,
        pairs,
        reserved: DIRECT_RESERVED,
        ip: c.ip,
        userAgent: c.userAgent,
        referrer: first('_ref') || null,
        scCookie1: first('_scid') || null,
        landingUrl: lpChecked && 'url' in lpChecked ? lp : header(req, 'referer'),
        host: hostnameOf(requestHost(req, c.trustedPeer)),
      });
      if (result.kind === 'recorded')
        return sendJson(res, 200, { clickid: result.clickId, offer_url: result.offerUrl }, CORS);
      return sendJson(res, 404, { error: 'not_found', reason: result.reason }, CORS);
    } catch (e) {
      return fail(res, e, CORS);
    }
  };

  const onScript = (req: IncomingMessage, res: ServerResponse): void => {
    const headers = {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
      etag,
      'x-content-type-options': 'nosniff',
      ...CORS,
    };
    if (header(req, 'if-none-match') === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(script) });
    res.end(script);
  };

  return [
    { method: 'GET', path: '/track.js', handler: onScript },
    { method: ['GET', 'OPTIONS'], path: '/click', handler: onClickJson },
    { method: 'GET', path: CLICK_PATH, name: '/:campaignKey', handler: onRedirect },
  ];
}
