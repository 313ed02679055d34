/**
 * The transport half of the postback edge: a request's query string and body → decoded parameters, checked for
 * encoding and size, plus the presented secret. Pure: no I/O, no logging, and no HTTP status (the routes map an
 * error code to its status). The values may be customer data, so no error ever echoes a value back.
 */

export const MAX_VALUE_BYTES = 1024;
export const MAX_TOTAL_BYTES = 10 * 1024;
/** Raw body limit (percent-encoding may triple the size of the decoded parameters). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Why the edge refused a request: a stable machine code. */
export type ParseErrorCode =
  | 'invalid_encoding'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'parameter_too_large'
  | 'parameters_too_large'
  | 'missing_click_id'
  | 'malformed_click_id'
  | 'malformed_payout'
  | 'malformed_currency'
  | 'withdrawn_currency'
  | 'malformed_event_id'
  | 'unknown_type'
  // who may send it (read at the edge, with the click's offer source or the website)
  | 'missing_secret'
  | 'bad_secret'
  | 'unknown_click'
  | 'not_a_website'
  | 'origin_not_allowed';

/** A refused request: `error` is the code, `reason` a sentence for the person wiring the postback. */
export class ParseError extends Error {
  constructor(
    public readonly error: ParseErrorCode,
    public readonly reason: string,
  ) {
    super(reason);
    this.name = 'ParseError';
  }
}

/** What the edge's entry points answer: a parsed value or the reason it is not one. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ParseError };

/** Runs a parser whose steps throw {@link ParseError} and answers a {@link Parsed} result (other errors propagate). */
export async function parsing<T>(run: () => T | Promise<T>): Promise<Parsed<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e };
    throw e;
  }
}

export type RawParams = Map<string, string>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeComponent(s: string): string {
  // Most parameters carry no escape at all: no decoding work for them.
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new ParseError('invalid_encoding', 'parameters must be valid percent-encoded UTF-8');
  }
}

export function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ParseError('invalid_encoding', 'parameters must be valid UTF-8');
  }
}

/** `a=1&b=2` → entries; the first occurrence of a name wins. */
export function parseUrlEncoded(text: string, into: RawParams = new Map()): RawParams {
  for (const piece of text.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const name = decodeComponent(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(piece.slice(eq + 1));
    if (!name || into.has(name)) continue;
    into.set(name, value);
  }
  return into;
}

/**
 * The query string as node received it: node keeps the request line as latin1, so the bytes are recovered and
 * must be UTF-8 themselves (percent-escapes are checked when decoded).
 */
export function parseQueryFromRawUrl(rawUrl: string): RawParams {
  const q = rawUrl.indexOf('?');
  if (q < 0) return new Map();
  const hash = rawUrl.indexOf('#', q);
  const raw = rawUrl.slice(q + 1, hash < 0 ? undefined : hash);
  // Plain ASCII (the usual case) is its own UTF-8.
  return parseUrlEncoded(/^[\x20-\x7e]*$/.test(raw) ? raw : decodeUtf8(Buffer.from(raw, 'latin1')));
}

/** POST body: form-urlencoded (also when no content type is given) or a flat JSON object. */
export function parseBody(contentType: string | undefined, body: Buffer, into: RawParams): RawParams {
  if (!body.length) return into;
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = decodeUtf8(body);
  if (ct === 'application/json' || ct.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ParseError('invalid_json', 'the body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ParseError('invalid_json', 'the JSON body must be an object of parameter names to values');
    }
    // Body parameters win over query parameters of the same name.
    for (const [name, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      if (typeof v === 'string') into.set(name, v);
      else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') into.set(name, String(v));
      else throw new ParseError('invalid_json', `parameter "${name.slice(0, 64)}" must be a string or a number`);
    }
    return into;
  }
  if (ct === '' || ct === 'application/x-www-form-urlencoded' || ct === 'text/plain') {
    const fromBody = parseUrlEncoded(text);
    for (const [k, v] of fromBody) into.set(k, v);
    return into;
  }
  throw new ParseError(
    'unsupported_media_type',
    'send the parameters in the query string, as application/x-www-form-urlencoded or as JSON',
  );
}

/** 1 KB per value (and per name), 10 KB for all parameters together. */
export function checkSizes(params: RawParams): void {
  let total = 0;
  for (const [name, value] of params) {
    const n = Buffer.byteLength(name, 'utf8');
    const v = Buffer.byteLength(value, 'utf8');
    if (n > MAX_VALUE_BYTES)
      throw new ParseError('parameter_too_large', `a parameter name is longer than ${MAX_VALUE_BYTES} bytes`);
    if (v > MAX_VALUE_BYTES)
      throw new ParseError(
        'parameter_too_large',
        `parameter "${name.slice(0, 64)}" is longer than ${MAX_VALUE_BYTES} bytes`,
      );
    total += n + v;
  }
  if (total > MAX_TOTAL_BYTES)
    throw new ParseError('parameters_too_large', `the parameters together are larger than ${MAX_TOTAL_BYTES} bytes`);
}

/** The postback secret travels as `secret`; `token` is what postback URLs made before secrets carried. */
export const SECRET_PARAMS = ['secret', 'token'] as const;

/** The presented postback secret, or null when there is none (an empty value is none). */
export function readSecret(params: RawParams): string | null {
  for (const name of SECRET_PARAMS) {
    const v = params.get(name);
    if (v !== undefined && v !== '') return v;
  }
  return null;
}
