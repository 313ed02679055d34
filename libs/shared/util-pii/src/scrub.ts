/**
 * Scrubbing of free-form click data (landing URLs, referrers, tracking parameters) before it is stored or published.
 * Pure: no I/O, no logging. The rule (also in the README, "Scrubbing click data"):
 *
 * - the unit is one value: a query or tracking parameter value, a path segment, a fragment part. A value that contains
 *   an e-mail address or a phone number is replaced as a whole by {@link REDACTED}; nothing else changes;
 * - values are looked at after NFKC (full-width `＠` → `@`) and after up to three rounds of percent-decoding (`%40`,
 *   `%2540`), both with `+` kept and with `+` read as a space (form encoding); HTML entities `&#64;`, `&#x40;`,
 *   `&commat;` count as `@`;
 * - e-mail: `local@domain.tld` (a dot and a 2+ letter TLD in the domain);
 * - phone: a run of 7–15 digits, not glued to letters or digits on either side (`id-4155550123` is an id), that
 *   starts with `+` (`+447700900123`, `+44 20 7946 0958`) or is written in 2+ groups separated by spaces, dashes or
 *   parentheses (`020 7946 0958`, `(415) 555-0123`, `415-555-0123`), or in 3+ dot-separated groups (`415.555.0123`);
 *   dates (`2026-12-07`, `07.12.2026`) and IPv4 addresses are not phones;
 * - a bare digit string (`1234567890123`, `4155550123`) is an id, not a phone — ids of ad platforms and networks are
 *   exactly that — unless its parameter name says phone (`phone`, `tel`, `mobile`, `msisdn`, `ph`, …): then any value
 *   with 7–15 digits is a phone. A non-empty value of a parameter named like an e-mail (`email`, `mail`, `em`) is
 *   redacted whatever it holds;
 * - a parameter whose *name* contains an e-mail address or phone number is removed; URL userinfo (`user:pw@`) is
 *   removed.
 */

export const REDACTED = '[redacted]';

const MAX_DECODE_ROUNDS = 3;
const EMAIL = /[\p{L}\p{N}._%+!#$&'*/=?^`{|}~-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;
/** Candidate phone runs: an optional `+`, then digits and separators; trimmed to end on a digit afterwards. */
const PHONE_RUN = /\+?\(?\d[\d ().\-\u00a0\u2010-\u2015]*/g;
const WORD = /[\p{L}\p{N}_]/u;
const YEAR = '(?:19|20)\\d\\d';
const MONTH = '(?:0?[1-9]|1[0-2])';
const DAY = '(?:0?[1-9]|[12]\\d|3[01])';
const SEP = '[-./ ]';
const DATE = new RegExp(
  `^(?:${YEAR}${SEP}${MONTH}${SEP}${DAY}|${DAY}${SEP}${MONTH}${SEP}${YEAR}|${MONTH}${SEP}${DAY}${SEP}${YEAR})` +
    `(?:[ T]\\d{1,2})?$`,
);
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const PHONE_KEYS = new Set(['tel', 'ph', 'cell', 'telephone', 'whatsapp', 'msisdn', 'fax']);
const EMAIL_KEYS = new Set(['email', 'mail', 'em', 'emailaddress', 'useremail']);

/** Lenient percent-decoding: valid UTF-8 sequences are decoded, other escapes of ASCII bytes too, the rest kept. */
function percentDecodeOnce(s: string, plusAsSpace: boolean): string {
  const text = plusAsSpace ? s.replace(/\+/g, ' ') : s;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m.replace(/%([0-7][0-9A-Fa-f])/g, (_e, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
  });
}

function decodeEntities(s: string): string {
  return s.replace(/&#(?:64|x40);?|&commat;/gi, '@');
}

/** The readings of a value that are checked: as given, decoded up to three times, `+` kept and `+` as space. */
function readings(value: string): string[] {
  const out = new Set<string>();
  for (const plusAsSpace of [false, true]) {
    let v = value.normalize('NFKC');
    out.add(decodeEntities(v));
    for (let i = 0; i < MAX_DECODE_ROUNDS; i++) {
      const next = percentDecodeOnce(v, plusAsSpace && i === 0).normalize('NFKC');
      out.add(decodeEntities(next));
      if (next === v) break;
      v = next;
    }
  }
  return [...out];
}

function isPhoneRun(run: string): boolean {
  const digits = run.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  if (run.startsWith('+')) return true;
  const groups = run.split(/\D+/).filter(Boolean);
  if (groups.length < 2) return false; // a bare digit string is an id
  if (DATE.test(run) || IPV4.test(run)) return false;
  if (/^[\d.]+$/.test(run)) return groups.length >= 3; // `12345.67` is a number, `415.555.0123` a phone
  return true;
}

function containsPhone(text: string): boolean {
  for (const m of text.matchAll(PHONE_RUN)) {
    const run = m[0].replace(/\D+$/, '');
    const start = m.index;
    const end = start + run.length;
    const before = text.slice(Math.max(0, start - 2), start);
    const after = text.slice(end, end + 2);
    const glued = (s: string | undefined) => s !== undefined && s !== '' && WORD.test(s);
    if (glued(before.slice(-1)) || (/[-.]$/.test(before) && glued(before.slice(-2, -1)))) continue;
    if (glued(after.slice(0, 1)) || (/^[-.]/.test(after) && glued(after.slice(1, 2)))) continue;
    if (isPhoneRun(run)) return true;
  }
  return false;
}

function keyKind(key: string | undefined): 'phone' | 'email' | null {
  if (!key) return null;
  const k = key.toLowerCase().replace(/[^a-z]/g, '');
  if (EMAIL_KEYS.has(k) || k.endsWith('email')) return 'email';
  if (PHONE_KEYS.has(k) || k.includes('phone') || k.includes('mobile') || k.includes('msisdn')) return 'phone';
  return null;
}

/**
 * Whether no reading of `value` can hold an e-mail address or a phone number, decided in one pass: it is ASCII (NFKC
 * leaves it as it is), has no `%` or `&` (nothing to decode), no `@`, and fewer than 7 digits (every phone rule needs
 * 7). Most click values (ids, UTM names) are; they skip the readings below.
 */
export function plainlyClean(value: string): boolean {
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f || c === 0x40 || c === 0x25 || c === 0x26) return false;
    if (c >= 0x30 && c <= 0x39 && ++digits >= 7) return false;
  }
  return true;
}

/** True when the value contains an e-mail address or a phone number (see the rule at the top of this file). */
export function looksLikePii(value: string, key?: string): boolean {
  if (!value) return false;
  const kind = keyKind(key);
  if (kind === 'email' && value.trim() !== '') return true;
  return !plainlyClean(value) && anyReadingHoldsPii(value, kind);
}

/** The full check of {@link looksLikePii}, every reading of the value (exported for the fast path's test). */
export function anyReadingHoldsPii(value: string, kind: 'phone' | 'email' | null): boolean {
  for (const r of readings(value)) {
    if (EMAIL.test(r) || containsPhone(r)) return true;
    // A `+` in a query string decodes to a space, so ` 447700900123` was most likely `+447700900123`.
    if (/^ \d/.test(r) && containsPhone(`+${r.slice(1)}`)) return true;
    if (kind === 'phone') {
      const digits = r.replace(/\D/g, '').length;
      if (digits >= 7 && digits <= 15) return true;
    }
  }
  return false;
}

/** The value, or {@link REDACTED} when it holds an e-mail address or a phone number. */
export function scrubValue(value: string, key?: string): string;
export function scrubValue(value: string | null, key?: string): string | null;
export function scrubValue(value: string | null, key?: string): string | null {
  if (value === null) return null;
  return looksLikePii(value, key) ? REDACTED : value;
}

/** Tracking parameters (already decoded): PII values become {@link REDACTED}; a name holding PII drops the entry. */
export function scrubParams(params: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (looksLikePii(k)) continue;
    out[k] = scrubValue(v, k);
  }
  return out;
}

/** One `name=value` (or bare) part of a query string or fragment, still percent-encoded. */
function scrubPair(part: string): string | null {
  const eq = part.indexOf('=');
  if (eq === -1) return looksLikePii(part) ? REDACTED : part;
  const name = part.slice(0, eq);
  if (looksLikePii(name)) return null;
  const value = part.slice(eq + 1);
  return looksLikePii(value, percentDecodeOnce(name, true)) ? `${name}=${REDACTED}` : part;
}

function scrubQueryLike(q: string): string {
  return q
    .split('&')
    .map((p) => (p ? scrubPair(p) : p))
    .filter((p): p is string => p !== null)
    .join('&');
}

/** A path: each `/`-separated segment (and `;` matrix part) on its own. */
function scrubPath(path: string): string {
  return path
    .split('/')
    .map((seg) =>
      seg
        .split(';')
        .map((p) => (p.includes('=') ? (scrubPair(p) ?? REDACTED) : looksLikePii(p) ? REDACTED : p))
        .join(';'),
    )
    .join('/');
}

/**
 * A landing URL or referrer (absolute, relative, or any text): userinfo removed, then every path segment, query
 * parameter and fragment part that holds an e-mail address or a phone number replaced by {@link REDACTED}. The host,
 * the other parts and their encoding are kept as they were.
 */
export function scrubUrl(url: string): string;
export function scrubUrl(url: string | null): string | null;
export function scrubUrl(url: string | null): string | null {
  if (url === null || url === '') return url;
  let rest = url;
  let origin = '';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)/.exec(rest);
  if (m) {
    const authority = m[2];
    const at = authority.lastIndexOf('@');
    const host = at === -1 ? authority : authority.slice(at + 1);
    origin = m[1] + (looksLikePii(host) ? REDACTED : host);
    rest = rest.slice(m[0].length);
  }
  const hash = rest.indexOf('#');
  const fragment = hash === -1 ? null : rest.slice(hash + 1);
  if (hash !== -1) rest = rest.slice(0, hash);
  const qm = rest.indexOf('?');
  const path = qm === -1 ? rest : rest.slice(0, qm);
  const query = qm === -1 ? null : rest.slice(qm + 1);
  let out = origin + scrubPath(path);
  if (query !== null) out += `?${scrubQueryLike(query)}`;
  if (fragment !== null) {
    // Fragments are often routes with their own query (`#/signup?email=…`): scrub the path part and the query part.
    const fq = fragment.indexOf('?');
    out +=
      '#' +
      (fq === -1
        ? fragment.includes('=')
          ? scrubQueryLike(fragment)
          : scrubPath(fragment)
        : `${scrubPath(fragment.slice(0, fq))}?${scrubQueryLike(fragment.slice(fq + 1))}`);
  }
  return out;
}
