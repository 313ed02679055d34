import { createHash } from 'node:crypto';
import { sampleWebPurchase, VECTOR_SHA256 } from './fixtures';
import { SHA256_OF_EMPTY_STRING, validateBatch, validateEvent, type ProblemCode } from './validate';
import { ISO_4217_CODES, isIso4217 } from '@snaptrack/contracts-events';
import { SNAP_EVENT_NAMES } from './event-names';

const NOW = Date.UTC(2026, 0, 17, 16, 26, 17); // a fixed clock: 1768667177 s
const NOW_S = Math.floor(NOW / 1000);
const DAY = 86_400;

type Event = Record<string, any>;

function event(mutate: (e: Event) => void = () => undefined): Event {
  const e = sampleWebPurchase(NOW) as Event;
  mutate(e);
  return e;
}

function codes(e: unknown): ProblemCode[] {
  return validateEvent(e, 0, NOW).errors.map((p) => p.code);
}

describe('fixtures', () => {
  const sha = (s: string) => createHash('sha256').update(s.normalize('NFC'), 'utf8').digest('hex');

  it('reproduces the Snap test vectors from their normalised inputs', () => {
    expect(sha('person@example.com')).toBe(VECTOR_SHA256.email);
    expect(sha('448444124653')).toBe(VECTOR_SHA256.phone);
    expect(sha('john')).toBe(VECTOR_SHA256.firstName);
    expect(sha('raphaël')).toBe(VECTOR_SHA256.firstNameUtf8);
    expect(sha('ca')).toBe(VECTOR_SHA256.state);
    expect(sha('00000')).toBe(VECTOR_SHA256.zip);
    expect(sha('gb')).toBe(VECTOR_SHA256.countryGb);
    expect(sha('')).toBe(SHA256_OF_EMPTY_STRING);
  });

  it('sample purchase is valid with no warnings', () => {
    expect(validateEvent(event(), 0, NOW)).toEqual({ index: 0, errors: [], warnings: [] });
  });
});

describe('reference lists', () => {
  it('has the 26 standard event names plus 5 custom slots', () => {
    expect(SNAP_EVENT_NAMES).toHaveLength(31);
    expect(new Set(SNAP_EVENT_NAMES).size).toBe(31);
  });

  it('ISO 4217: active codes only, exact upper case', () => {
    expect(new Set(ISO_4217_CODES).size).toBe(ISO_4217_CODES.length);
    for (const code of ['USD', 'EUR', 'GBP', 'JPY', 'XCG', 'ZWG', 'SLE', 'VED']) expect(isIso4217(code)).toBe(true);
    for (const code of ['usd', 'US', 'USDT', 'BTC', 'HRK', 'ZWL', 'ANG', 'SLL', '', 840])
      expect(isIso4217(code)).toBe(false);
  });
});

describe('validateEvent: one named failure per checklist rule', () => {
  it.each<[string, (e: Event) => void, ProblemCode]>([
    ['event_time in milliseconds', (e) => (e.event_time = NOW), 'INVALID_EVENT_TIME'],
    ['event_time as a numeric string', (e) => (e.event_time = String(NOW_S)), 'INVALID_EVENT_TIME'],
    ['event_time with a fraction', (e) => (e.event_time = NOW_S - 0.5), 'INVALID_EVENT_TIME'],
    ['event_time older than 37 days', (e) => (e.event_time = NOW_S - 37 * DAY - 1), 'EVENT_TIME_OUT_OF_RANGE'],
    ['event_time more than 5 minutes ahead', (e) => (e.event_time = NOW_S + 301), 'EVENT_TIME_OUT_OF_RANGE'],
    ['missing event_time', (e) => delete e.event_time, 'MISSING_REQUIRED_FIELD'],
    ['ADD_TO_CART instead of ADD_CART', (e) => (e.event_name = 'ADD_TO_CART'), 'UNRECOGNIZED_EVENT_TYPE'],
    ['lower-case event name', (e) => (e.event_name = 'purchase'), 'UNRECOGNIZED_EVENT_TYPE'],
    ['action_source "website"', (e) => (e.action_source = 'website'), 'INVALID_ACTION_SOURCE'],
    ['action_source OFFLINE (web-only sandbox)', (e) => (e.action_source = 'OFFLINE'), 'INVALID_ACTION_SOURCE'],
    ['relative event_source_url', (e) => (e.event_source_url = '/checkout/thank-you'), 'INVALID_EVENT_SOURCE_URL'],
    ['non-http event_source_url', (e) => (e.event_source_url = 'ftp://shop.example.com/'), 'INVALID_EVENT_SOURCE_URL'],
    ['missing event_source_url', (e) => delete e.event_source_url, 'MISSING_REQUIRED_FIELD'],
    ['scheme without slashes', (e) => (e.event_source_url = 'https:shop.example.com/x'), 'INVALID_EVENT_SOURCE_URL'],
    ['protocol-relative URL', (e) => (e.event_source_url = '//shop.example.com/x'), 'INVALID_EVENT_SOURCE_URL'],
    ['URL with a space', (e) => (e.event_source_url = 'https://shop.example.com/a b'), 'INVALID_EVENT_SOURCE_URL'],
    ['URL with backslashes', (e) => (e.event_source_url = 'https:\\\\shop.example.com'), 'INVALID_EVENT_SOURCE_URL'],
    [
      '"constructor" as a custom_data key',
      (e) => (e.custom_data = JSON.parse('{"currency":"USD","value":1,"constructor":1}')),
      'UNKNOWN_FIELD',
    ],
    [
      '"__proto__" as a custom_data key',
      (e) => (e.custom_data = JSON.parse('{"currency":"USD","value":1,"__proto__":1}')),
      'UNKNOWN_FIELD',
    ],
    ['"toString" as a user_data key', (e) => (e.user_data.toString = 'x'), 'UNKNOWN_FIELD'],
    ['event_id inside custom_data', (e) => (e.custom_data.event_id = 'ord-10042'), 'EVENT_ID_IN_CUSTOM_DATA'],
    ['numeric event_id', (e) => (e.event_id = 10042), 'INVALID_EVENT_ID'],
    ['unhashed email', (e) => (e.user_data.em = ['person@example.com']), 'UNHASHED_PII'],
    ['unhashed first name as a string', (e) => (e.user_data.fn = 'John'), 'UNHASHED_PII'],
    ['upper-case hex digest', (e) => (e.user_data.em = [VECTOR_SHA256.email.toUpperCase()]), 'UNHASHED_PII'],
    ['sha256("") as a value', (e) => (e.user_data.ln = SHA256_OF_EMPTY_STRING), 'EMPTY_VALUE_HASH'],
    ['sha256("") inside an array', (e) => (e.user_data.ph = [SHA256_OF_EMPTY_STRING]), 'EMPTY_VALUE_HASH'],
    ['hashed key as a number', (e) => (e.user_data.zp = 94025), 'INVALID_FIELD_TYPE'],
    ['hashed client_ip_address', (e) => (e.user_data.client_ip_address = VECTOR_SHA256.email), 'INVALID_IP_ADDRESS'],
    ['malformed IP', (e) => (e.user_data.client_ip_address = '203.0.113.300'), 'INVALID_IP_ADDRESS'],
    ['blank user agent', (e) => (e.user_data.client_user_agent = '  '), 'INVALID_USER_AGENT'],
    ['PURCHASE without currency', (e) => delete e.custom_data.currency, 'MISSING_CURRENCY'],
    ['PURCHASE without value', (e) => delete e.custom_data.value, 'MISSING_VALUE'],
    ['PURCHASE without custom_data', (e) => delete e.custom_data, 'MISSING_CURRENCY'],
    ['lower-case currency', (e) => (e.custom_data.currency = 'usd'), 'INVALID_CURRENCY'],
    ['unknown currency', (e) => (e.custom_data.currency = 'BTC'), 'INVALID_CURRENCY'],
    ['value as a string', (e) => (e.custom_data.value = '49.90'), 'INVALID_VALUE'],
    ['v2 field at the event root', (e) => (e.client_dedup_id = 'x'), 'LEGACY_FIELD'],
    ['raw email under user_data.email', (e) => (e.user_data.email = 'x'), 'LEGACY_FIELD'],
    ['unknown event field', (e) => (e.foo = 1), 'UNKNOWN_FIELD'],
    ['unknown custom_data field', (e) => (e.custom_data.curency = 'USD'), 'UNKNOWN_FIELD'],
    ['app_data on a WEB event', (e) => (e.app_data = { app_id: 'x' }), 'APP_DATA_NOT_ALLOWED'],
    ['data_processing_options as a string', (e) => (e.data_processing_options = "['LDU']"), 'INVALID_FIELD_TYPE'],
  ])('%s', (_name, mutate, code) => {
    expect(codes(event(mutate))).toContain(code);
  });

  it('missing identifiers: no em, ph, mobile ad id, or IP+UA pair', () => {
    const only = (userData: Event) => codes(event((e) => (e.user_data = userData)));
    expect(only({ sc_click_id: 'abc', fn: VECTOR_SHA256.firstName })).toEqual(['INSUFFICIENT_PII']);
    expect(only({ client_ip_address: '203.0.113.7' })).toEqual(['INSUFFICIENT_PII']);
    expect(only({ client_user_agent: 'Mozilla/5.0' })).toEqual(['INSUFFICIENT_PII']);
    expect(only({ em: [] })).toEqual(['UNHASHED_PII', 'INSUFFICIENT_PII']);
    expect(codes(event((e) => delete e.user_data))).toEqual(['MISSING_REQUIRED_FIELD', 'INSUFFICIENT_PII']);
  });

  it.each<[string, Event]>([
    ['em alone', { em: [VECTOR_SHA256.email] }],
    ['ph alone, as a string', { ph: VECTOR_SHA256.phone }],
    ['IP and UA', { client_ip_address: '2001:db8::1', client_user_agent: 'Mozilla/5.0 (X11)' }],
    ['mobile_ad_id alone', { mobile_ad_id: 'ebe0e3c2-4f1b-4a3a-9f6e-0e7b1c2d3e4f' }],
  ])('identifier minimum met by %s', (_name, userData) => {
    expect(codes(event((e) => (e.user_data = userData)))).toEqual([]);
  });

  it('accepts the time window edges: exactly 37 days old and exactly 5 minutes ahead', () => {
    expect(codes(event((e) => (e.event_time = NOW_S - 37 * DAY)))).toEqual([]);
    expect(codes(event((e) => (e.event_time = NOW_S + 300)))).toEqual([]);
  });

  it('accepts ordinary absolute URLs', () => {
    for (const url of ['http://localhost:3000/', 'https://shop.example.com', 'HTTPS://Shop.Example.com/a?b=c#d']) {
      expect(codes(event((e) => (e.event_source_url = url)))).toEqual([]);
    }
  });

  it('non-PURCHASE events need no custom_data', () => {
    expect(codes(event((e) => ((e.event_name = 'SIGN_UP'), delete e.custom_data)))).toEqual([]);
  });

  it('never repeats a rejected value in its message (it may be raw PII)', () => {
    const verdict = validateEvent(
      event((e) => ((e.user_data.em = ['person@example.com']), (e.user_data.client_ip_address = 'jane@example.com'))),
      0,
      NOW,
    );
    expect(verdict.errors).toHaveLength(2);
    expect(JSON.stringify(verdict)).not.toMatch(/example\.com/);
  });

  it('warns, without rejecting, on sends older than 7 days, missing integration and a lowercased UA', () => {
    const verdict = validateEvent(
      event((e) => {
        e.event_time = NOW_S - 8 * DAY;
        delete e.integration;
        e.user_data.client_user_agent = 'mozilla/5.0 (iphone)';
      }),
      0,
      NOW,
    );
    expect(verdict.errors).toEqual([]);
    expect(verdict.warnings).toHaveLength(3);
  });

  it('uses Snap-style parameter paths in messages', () => {
    const [problem] = validateEvent(
      event((e) => (e.event_time = NOW)),
      3,
      NOW,
    ).errors;
    expect(problem).toMatchObject({ field: 'data[3].event_time' });
    expect(problem!.message).toMatch(/^Param data\[3\]\.event_time is an invalid Unix timestamp/);
  });
});

describe('validateBatch', () => {
  it('accepts a valid batch', () => {
    expect(validateBatch({ data: [event(), event()] }, NOW)).toMatchObject({ ok: true, envelope: [] });
  });

  it.each<[string, unknown, ProblemCode]>([
    ['a non-object body', [event()], 'INVALID_BODY'],
    ['missing data', {}, 'MISSING_REQUIRED_FIELD'],
    ['data not an array', { data: event() }, 'INVALID_FIELD_TYPE'],
    ['empty data', { data: [] }, 'EMPTY_DATA'],
    ['2001 events', { data: Array.from({ length: 2001 }, () => event()) }, 'TOO_MANY_EVENTS'],
    ['an unknown top-level key', { data: [event()], pixel: 'x' }, 'UNKNOWN_FIELD'],
    ['test_event_code at the top level', { data: [event()], test_event_code: 'TEST1' }, 'LEGACY_FIELD'],
  ])('rejects %s at the envelope', (_name, body, code) => {
    const verdict = validateBatch(body, NOW);
    expect(verdict.ok).toBe(false);
    expect(verdict.envelope.map((p) => p.code)).toContain(code);
    expect(verdict.firstInvalidEvent).toBeUndefined();
  });

  it('accepts exactly 2000 events', () => {
    expect(validateBatch({ data: Array.from({ length: 2000 }, () => event()) }, NOW).ok).toBe(true);
  });

  it('names the first invalid event and judges every event', () => {
    const verdict = validateBatch({ data: [event(), event((e) => (e.event_name = 'ADD_TO_CART')), 'nope'] }, NOW);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstInvalidEvent).toBe(1);
    expect(verdict.events.map((v) => v.errors.length > 0)).toEqual([false, true, true]);
  });
});
