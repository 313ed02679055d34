import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The gateway tells subgraphs who the caller is with a signed header; subgraphs refuse anything unsigned.
 * Header value: `<accountId>.<unix seconds>.<hex hmac-sha256(secret, accountId.ts)>`.
 */
export const IDENTITY_HEADER = 'x-snaptrack-identity';
const MAX_SKEW_S = 300;

export function signIdentity(accountId: string, secret: string, nowS = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${accountId}.${nowS}`).digest('hex');
  return `${accountId}.${nowS}.${mac}`;
}

/**
 * Headers whose MAC already verified, per secret (header → account id). The gateway signs a caller's identity once a
 * second, so a busy subgraph sees the same header many times: the HMAC runs once per header, the clock check every
 * time. Bounded: emptied when it reaches VERIFIED_MAX entries.
 */
const verified = new Map<string, Map<string, string>>();
const VERIFIED_MAX = 10_000;

export function verifyIdentity(
  header: string | undefined,
  secret: string,
  nowS = Math.floor(Date.now() / 1000),
): string | null {
  if (!header) return null;
  const parts = header.split('.');
  if (parts.length !== 3) return null;
  const [accountId, ts, mac] = parts;
  const tsN = Number(ts);
  if (!accountId || !Number.isInteger(tsN) || Math.abs(nowS - tsN) > MAX_SKEW_S) return null;
  let known = verified.get(secret);
  if (known?.get(header) === accountId) return accountId;
  const expected = createHmac('sha256', secret).update(`${accountId}.${ts}`).digest('hex');
  if (mac.length !== expected.length) return null;
  if (!timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return null;
  if (!known) verified.set(secret, (known = new Map()));
  if (known.size >= VERIFIED_MAX) known.clear();
  known.set(header, accountId);
  return accountId;
}

/**
 * Service-to-service calls that are not GraphQL (the gateway asking account-service about an API key) carry
 * `x-snaptrack-internal: <unix seconds>.<hex hmac-sha256(secret, "<METHOD> <path>\n<ts>\n<sha256(body)>")>`: only a
 * holder of INTERNAL_AUTH_SECRET can make one, and it is bound to the method, path and body it was made for.
 */
export const INTERNAL_SIGNATURE_HEADER = 'x-snaptrack-internal';

function internalMac(secret: string, method: string, pathname: string, ts: string, body: string | Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret).update(`${method.toUpperCase()} ${pathname}\n${ts}\n${bodyHash}`).digest('hex');
}

export function signInternalRequest(
  method: string,
  pathname: string,
  body: string | Buffer,
  secret: string,
  nowS = Math.floor(Date.now() / 1000),
): string {
  return `${nowS}.${internalMac(secret, method, pathname, String(nowS), body)}`;
}

/** True when `header` signs exactly this method, path and body with `secret`, within ±5 minutes. */
export function verifyInternalRequest(
  header: string | undefined,
  method: string,
  pathname: string,
  body: string | Buffer,
  secret: string,
  nowS = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  const [ts, mac, ...rest] = header.split('.');
  const tsN = Number(ts);
  if (rest.length || !mac || !/^\d+$/.test(ts) || Math.abs(nowS - tsN) > MAX_SKEW_S) return false;
  const expected = internalMac(secret, method, pathname, ts, body);
  return mac.length === expected.length && timingSafeEqual(Buffer.from(mac), Buffer.from(expected));
}
