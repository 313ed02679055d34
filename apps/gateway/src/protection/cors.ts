import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '@snaptrack/util-http';

export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
];
const EXPOSED_HEADERS = ['retry-after', 'x-request-id'];
const METHODS = 'GET, POST, OPTIONS';

/** `https://admin.example.com` or `http://localhost:5173`: a scheme, a host, maybe a port, nothing else. */
export function isExactOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value;
  } catch {
    return false;
  }
}

/**
 * CORS for an exact allow-list of origins. An allowed Origin gets `Access-Control-Allow-Origin: <origin>` on
 * preflights and actual requests; any other origin gets no CORS header, and its preflight is answered 403. With an
 * empty list nothing changes (no CORS headers at all). Apollo's CSRF prevention stays on independently.
 * Returns a function that decorates the response and answers OPTIONS itself (returns true when it did).
 */
export function corsPolicy(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const ok = origin !== undefined && allowed.has(origin);
    if (allowed.size > 0) res.setHeader('vary', 'Origin');
    if (ok) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
    }
    if (req.method !== 'OPTIONS') return false;
    if (origin !== undefined && !ok) {
      sendJson(res, 403, { error: 'forbidden', reason: 'origin not allowed' });
      return true;
    }
    if (ok) {
      res.setHeader('access-control-allow-methods', METHODS);
      res.setHeader('access-control-allow-headers', CORS_ALLOWED_HEADERS.join(', '));
      res.setHeader('access-control-max-age', '600');
    }
    res.writeHead(204, { allow: METHODS });
    res.end();
    return true;
  };
}
