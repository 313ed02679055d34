import { HttpError } from '@snaptrack/util-http';

/** Most parameters one click URL may carry. */
export const MAX_PARAMS = 100;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** The request target must be printable ASCII (everything else must be percent-encoded). */
const RAW_TARGET_OK = /^[\x21-\x7e]*$/;

/**
 * Splits a request target into the path and the raw query. Snapchat appends `&ScCid=…` to whatever link it is given;
 * when the link had no `?`, that lands in the path (`/<key>&ScCid=…`), so everything after the first `&` of the path
 * is treated as query too.
 */
export function splitTarget(target: string): { path: string; query: string } {
  if (!RAW_TARGET_OK.test(target))
    throw new HttpError(400, 'the request URL contains characters that must be percent-encoded');
  const q = target.indexOf('?');
  let path = q === -1 ? target : target.slice(0, q);
  let query = q === -1 ? '' : target.slice(q + 1);
  const hash = query.indexOf('#');
  if (hash !== -1) query = query.slice(0, hash);
  const amp = path.indexOf('&');
  if (amp !== -1) {
    query = query ? `${path.slice(amp + 1)}&${query}` : path.slice(amp + 1);
    path = path.slice(0, amp);
  }
  return { path, query };
}

function decodeStrict(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new HttpError(400, 'the query string has invalid percent-encoding or is not valid UTF-8');
  }
}

/**
 * Parses `a=1&b=2` strictly: invalid percent-encoding or UTF-8 (e.g. `%C3%28`) and control characters (CR/LF,
 * NUL, …) are refused with 400 instead of being replaced, so nothing odd ever reaches an event or a Location header.
 * Order and duplicates are kept.
 */
export function parseQuery(query: string): Array<[string, string]> {
  if (!query) return [];
  const parts = query.split('&');
  if (parts.length > MAX_PARAMS) throw new HttpError(400, `too many query parameters (at most ${MAX_PARAMS})`);
  const out: Array<[string, string]> = [];
  for (const part of parts) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decodeStrict(eq === -1 ? part : part.slice(0, eq));
    const value = decodeStrict(eq === -1 ? '' : part.slice(eq + 1));
    if (CONTROL.test(name) || CONTROL.test(value))
      throw new HttpError(400, 'the query string contains control characters');
    if (!name) continue;
    out.push([name, value]);
  }
  return out;
}

/** First value per name (case-sensitive), without the reserved names. */
export function paramsRecord(pairs: Array<[string, string]>, reserved: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) {
    if (reserved.has(k) || Object.prototype.hasOwnProperty.call(out, k)) continue;
    out[k] = v;
  }
  return out;
}

/** First value of a parameter whose name matches case-insensitively (Snapchat's `ScCid` shows up as `sccid` too). */
export function paramCaseInsensitive(pairs: Array<[string, string]>, name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [k, v] of pairs) if (k.toLowerCase() === wanted) return v;
  return null;
}
