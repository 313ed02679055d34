import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError, readBody, sendJson, type Route } from '@snaptrack/util-http';
import { INTERNAL_SIGNATURE_HEADER, verifyInternalRequest } from '@snaptrack/util-federation';
import type { AccountService } from './account.service';
import { ADMIN_IDENTITY } from './account.resolver';

export const AUTHENTICATE_PATH = '/internal/authenticate';

/**
 * `POST /internal/authenticate` — the gateway's key check. Body `{"apiKey": "<the presented bearer key>"}`, signed
 * with INTERNAL_AUTH_SECRET (`x-snaptrack-internal`, see util-federation); unsigned or badly signed → 403 without
 * looking at the key. Answer: 200 `{accountId, keyId}` (ADMIN_API_KEY → `{accountId: "admin", keyId: "admin"}`), or
 * 401 `{error: "unauthenticated"}` for a malformed, unknown, wrong or revoked key. The key is never logged.
 */
export function authenticateRoute(opts: {
  accounts: AccountService;
  internalAuthSecret: string;
  adminApiKey?: string;
}): Route {
  const adminDigest = opts.adminApiKey ? createHash('sha256').update(opts.adminApiKey).digest() : null;
  const isAdmin = (key: string) =>
    Boolean(adminDigest && timingSafeEqual(createHash('sha256').update(key).digest(), adminDigest));
  return {
    method: 'POST',
    path: AUTHENTICATE_PATH,
    handler: async (req, res) => {
      const raw = await readBody(req, 4096);
      const header = req.headers[INTERNAL_SIGNATURE_HEADER];
      const signed = verifyInternalRequest(
        typeof header === 'string' ? header : undefined,
        'POST',
        AUTHENTICATE_PATH,
        raw,
        opts.internalAuthSecret,
      );
      if (!signed) throw new HttpError(403, `internal endpoint: a valid ${INTERNAL_SIGNATURE_HEADER} is required`);
      let apiKey: unknown;
      try {
        apiKey = (JSON.parse(raw.toString('utf8')) as { apiKey?: unknown })?.apiKey;
      } catch {
        throw new HttpError(400, 'body must be JSON {"apiKey": "…"}');
      }
      if (typeof apiKey !== 'string') throw new HttpError(400, 'body must be JSON {"apiKey": "…"}');
      if (isAdmin(apiKey)) return sendJson(res, 200, { accountId: ADMIN_IDENTITY, keyId: ADMIN_IDENTITY });
      const found = await opts.accounts.authenticate(apiKey);
      if (!found) return sendJson(res, 401, { error: 'unauthenticated', reason: 'unknown, malformed or revoked key' });
      return sendJson(res, 200, found);
    },
  };
}
