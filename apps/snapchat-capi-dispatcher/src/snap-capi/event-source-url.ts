/**
 * `event_source_url` is required for web events (docs/snap-capi.md "Event fields"): the conversion page, else the
 * click's landing URL, minus query parameters that carry PII. Pure; never throws.
 */

/** Query parameter names (lowercased, without `-`, `_`, `.` and spaces) that name customer data or secrets. */
const PII_PARAM_NAMES = new Set([
  'email',
  'mail',
  'emailaddress',
  'useremail',
  'em',
  'e',
  'phone',
  'phonenumber',
  'tel',
  'telephone',
  'mobile',
  'msisdn',
  'ph',
  'cell',
  'name',
  'fullname',
  'firstname',
  'lastname',
  'fname',
  'lname',
  'fn',
  'ln',
  'surname',
  'givenname',
  'familyname',
  'address',
  'street',
  'address1',
  'address2',
  'zip',
  'zipcode',
  'zp',
  'postcode',
  'postalcode',
  'postal',
  'city',
  'ct',
  'state',
  'st',
  'dob',
  'birthday',
  'birthdate',
  'dateofbirth',
  'ssn',
  'gender',
  'ge',
  'db',
  'password',
  'pass',
  'pwd',
  'token',
  'accesstoken',
  'apikey',
  'secret',
  'auth',
  'authorization',
  'session',
  'sessionid',
  'ip',
  'ipaddress',
  'useragent',
  'ua',
  'userid',
  'externalid',
  'customerid',
]);
const LOOKS_LIKE_EMAIL = /[^@\s]+@[^@\s]+\.[^@\s]+/;
/** A run of 7+ digits, possibly with +, spaces, dots, dashes or brackets: a phone number. */
const LOOKS_LIKE_PHONE = /^\+?[\d\s().-]{7,}$/;

function paramCarriesPii(name: string, value: string): boolean {
  const key = name.toLowerCase().replace(/[-_.\s[\]]/g, '');
  if (PII_PARAM_NAMES.has(key)) return true;
  if (/(e?mail|phone|password|token|secret)/.test(key)) return true;
  if (LOOKS_LIKE_EMAIL.test(value)) return true;
  const digits = value.replace(/\D/g, '');
  return LOOKS_LIKE_PHONE.test(value) && digits.length >= 7 && digits.length <= 15 && /[+\s().-]/.test(value);
}

function segmentCarriesPii(segment: string): boolean {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // keep it as it is
  }
  return paramCarriesPii('', decoded);
}

function parseHttpUrl(raw: string | null | undefined): URL | null {
  if (typeof raw !== 'string') return null;
  const trimmed = raw.trim();
  if (!trimmed) return null;
  try {
    const url = new URL(trimmed);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return null;
    return url;
  } catch {
    return null;
  }
}

/** The landing URL without PII-carrying query parameters, credentials or fragment; null if it is not an http(s) URL. */
export function sanitizeLandingUrl(raw: string | null | undefined): string | null {
  const url = parseHttpUrl(raw);
  if (!url) return null;
  url.username = '';
  url.password = '';
  url.hash = '';
  for (const [name, value] of [...url.searchParams]) {
    if (paramCarriesPii(name, value)) url.searchParams.delete(name);
  }
  // PII can sit in the path too (`/thank-you/jane%40example.com`): then only the site's root is sent.
  if (url.pathname.split('/').some((segment) => segmentCarriesPii(segment))) url.pathname = '/';
  return url.toString();
}

/** A configured URL template (e.g. the offer URL with `{clickid}` macros): origin and path only. */
export function sanitizeTemplateUrl(raw: string | null | undefined): string | null {
  const url = parseHttpUrl(raw);
  if (!url) return null;
  return `${url.origin}${url.pathname}`;
}
