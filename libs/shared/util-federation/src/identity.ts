import { createHmac, timingSafeEqual } from 'node:crypto';

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
  const expected = createHmac('sha256', secret).update(`${accountId}.${ts}`).digest('hex');
  if (mac.length !== expected.length) return null;
  return timingSafeEqual(Buffer.from(mac), Buffer.from(expected)) ? accountId : null;
}
