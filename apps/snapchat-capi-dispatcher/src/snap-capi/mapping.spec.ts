import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConversionCreatedV1 } from '@snaptrack/contracts-events';
import { ROLE_BY_SNAP_KEY, SNAP_USER_DATA_KEY, hashUserData, type SnapUserDataKey } from '@snaptrack/util-pii';
import { SHA256_OF_EMPTY_STRING, toSnapEvent, type MappingContext, type PixelEventSettings } from './mapping';
import { sanitizeLandingUrl, sanitizeTemplateUrl } from './event-source-url';

const fixture = (name: string) => JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));
const base: ConversionCreatedV1.Value = ConversionCreatedV1.contract.assert(fixture('web-purchase.conversion.json'));
const purchase: PixelEventSettings = { eventName: 'PURCHASE', limitedDataUse: false };
const ctx: MappingContext = { eventId: 'ord-10042', integration: 'our-tracker' };

type Patch = Partial<Omit<ConversionCreatedV1.Value, 'click'>> & {
  click?: Partial<NonNullable<ConversionCreatedV1.Value['click']>> | null;
};
function conv(patch: Patch = {}): ConversionCreatedV1.Value {
  const { click, ...rest } = patch;
  return { ...base, ...rest, click: click === null ? null : { ...base.click!, ...click } };
}

describe('toSnapEvent', () => {
  it('maps the example web purchase exactly (fixture; docs/snap-capi.md "Request envelope")', () => {
    expect({ data: [toSnapEvent(base, purchase, ctx)] }).toEqual(fixture('web-purchase.snap-body.json'));
  });

  // input → expected fragment of the event (a table: one row per rule of docs/snap-capi.md "Event fields" to "Custom
  // data")
  const table: Array<
    [string, ConversionCreatedV1.Value, PixelEventSettings, Partial<MappingContext>, Record<string, unknown>]
  > = [
    [
      'event_time is integer seconds of occurred_at (never ms)',
      conv({ occurred_at: '2024-01-17T16:26:17.999Z' }),
      purchase,
      {},
      { event_time: 1705508777 },
    ],
    [
      'event_name comes from the pixel mapping',
      base,
      { eventName: 'SIGN_UP', limitedDataUse: false },
      {},
      { event_name: 'SIGN_UP' },
    ],
    [
      "event_id is the ledger row's, at the top level, verbatim",
      base,
      purchase,
      { eventId: '  Ab-1 ' },
      { event_id: '  Ab-1 ' },
    ],
    ['action_source is always WEB', base, purchase, {}, { action_source: 'WEB' }],
    [
      'integration is the configured product id',
      base,
      purchase,
      { integration: 'snaptrack' },
      { integration: 'snaptrack' },
    ],
    [
      'LDU on → data_processing_options ["LDU"]',
      base,
      { eventName: 'PURCHASE', limitedDataUse: true },
      {},
      { data_processing_options: ['LDU'] },
    ],
    ['LDU off → no data_processing_options', base, purchase, {}, { data_processing_options: undefined }],
    [
      'em, ph and external_id are one-element arrays; fn/country strings',
      conv({
        user_data: {
          em: 'a'.repeat(64),
          ph: 'b'.repeat(64),
          external_id: 'c'.repeat(64),
          fn: 'd'.repeat(64),
          country: 'e'.repeat(64),
        },
      }),
      purchase,
      {},
      {
        user_data: {
          em: ['a'.repeat(64)],
          ph: ['b'.repeat(64)],
          external_id: ['c'.repeat(64)],
          fn: 'd'.repeat(64),
          country: 'e'.repeat(64),
          client_ip_address: '203.0.113.7',
          client_user_agent: base.click!.user_agent,
          sc_click_id: base.click!.sc_click_id,
        },
      },
    ],
    [
      'never sends sha256("")',
      conv({ user_data: { em: SHA256_OF_EMPTY_STRING, ph: 'b'.repeat(64) } }),
      purchase,
      {},
      { user_data: expect.not.objectContaining({ em: expect.anything() }) },
    ],
    [
      'upper-case digests are lowercased, not re-hashed',
      conv({ user_data: { em: 'A'.repeat(64) } as never }),
      purchase,
      {},
      { user_data: expect.objectContaining({ em: ['a'.repeat(64)] }) },
    ],
    [
      'the IP and the user agent go raw; the UA keeps its case',
      conv({ click: { ip: '2001:db8::1', user_agent: 'Mozilla/5.0 (X11; Linux x86_64)' } }),
      purchase,
      {},
      {
        user_data: expect.objectContaining({
          client_ip_address: '2001:db8::1',
          client_user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
        }),
      },
    ],
    [
      'an unparseable IP is left out (never sent hashed or broken)',
      conv({ click: { ip: 'unknown' } }),
      purchase,
      {},
      { user_data: expect.not.objectContaining({ client_ip_address: expect.anything() }) },
    ],
    [
      "the click's _scid cookie goes raw as sc_cookie1",
      conv({ click: { sc_cookie1: ' 3c1a8e0f-5d5e-4b6f-9c55-5a7c6f1f2b10 ' } }),
      purchase,
      {},
      { user_data: expect.objectContaining({ sc_cookie1: '3c1a8e0f-5d5e-4b6f-9c55-5a7c6f1f2b10' }) },
    ],
    [
      'no or blank sc_cookie1 is left out',
      conv({ click: { sc_cookie1: ' ' } }),
      purchase,
      {},
      { user_data: expect.not.objectContaining({ sc_cookie1: expect.anything() }) },
    ],
    [
      'blank UA and click id are left out',
      conv({ click: { user_agent: '  ', sc_click_id: '' } }),
      purchase,
      {},
      {
        user_data: expect.not.objectContaining({
          client_user_agent: expect.anything(),
          sc_click_id: expect.anything(),
        }),
      },
    ],
    [
      'no click: only the hashed identifiers',
      conv({ click: null }),
      purchase,
      { fallbackUrl: 'https://offer.example.com/p?x={clickid}' },
      {
        user_data: {
          em: [base.user_data.em],
          ph: [base.user_data.ph],
          fn: base.user_data.fn,
          country: base.user_data.country,
        },
        event_source_url: 'https://offer.example.com/p',
      },
    ],
    [
      'custom_data: currency, value as a number, order_id from the transaction id',
      conv({ payout: 0, currency: 'GBP', transaction_id: ' T-9 ' }),
      purchase,
      {},
      { custom_data: { currency: 'GBP', value: 0, order_id: 'T-9' } },
    ],
    [
      'no payout and no currency and no transaction → no custom_data',
      conv({ payout: null, currency: null, transaction_id: null }),
      purchase,
      {},
      { custom_data: undefined },
    ],
    [
      'a payout without currency takes the offer source default',
      conv({ payout: 5, currency: null }),
      purchase,
      { defaultCurrency: 'EUR' },
      { custom_data: { currency: 'EUR', value: 5, order_id: 'ord-10042' } },
    ],
    [
      'a default currency typed in lower case is sent upper case',
      conv({ payout: 5, currency: null }),
      purchase,
      { defaultCurrency: ' eur ' },
      { custom_data: { currency: 'EUR', value: 5, order_id: 'ord-10042' } },
    ],
    [
      'the landing URL loses PII query parameters and the fragment',
      base,
      purchase,
      {},
      { event_source_url: 'https://shop.example.com/checkout/thank-you?utm_source=snap' },
    ],
    [
      'no landing URL → the offer URL without its macro query',
      conv({ click: { landing_url: null } }),
      purchase,
      { fallbackUrl: 'https://offer.example.com/lp?sub1={clickid}' },
      { event_source_url: 'https://offer.example.com/lp' },
    ],
    [
      'no usable URL at all → no event_source_url (validate.ts refuses it)',
      conv({ click: { landing_url: 'javascript:alert(1)' } }),
      purchase,
      {},
      { event_source_url: undefined },
    ],
  ];

  it.each(table)('%s', (_name, input, pixel, extra, expected) => {
    const event = toSnapEvent(input, pixel, { ...ctx, ...extra }) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) {
      if (v === undefined) expect(event).not.toHaveProperty(k);
      else expect(event[k]).toEqual(v);
    }
  });

  it('never puts event_id into custom_data', () => {
    const e = toSnapEvent(base, purchase, ctx);
    expect(e.custom_data).not.toHaveProperty('event_id');
    expect(Object.keys(e)).toEqual(expect.arrayContaining(['event_id']));
  });
});

describe('Snap test vectors end to end (raw value → util-pii as conversion-service hashes it → the Snap body)', () => {
  const REPO_ROOT = path.resolve(__dirname, '../../../..');
  const vectors: Array<{ field: string; input: string; sha256: string }> = JSON.parse(
    readFileSync(path.resolve(REPO_ROOT, 'libs/shared/util-pii/test/fixtures/snap-hash-vectors.json'), 'utf8'),
  );

  it.each(vectors.map((v) => [v.field, v.input, v.sha256] as const))('%s %j', (field, input, sha) => {
    const role = ROLE_BY_SNAP_KEY[field as SnapUserDataKey];
    const hashed = hashUserData({ [role]: input });
    const userData = Object.fromEntries(
      Object.entries(hashed.hashed).map(([r, h]) => [SNAP_USER_DATA_KEY[r as keyof typeof SNAP_USER_DATA_KEY], h]),
    );
    const event = toSnapEvent(conv({ user_data: userData }), purchase, ctx);
    const sent = (event.user_data as Record<string, unknown>)[field];
    expect(sent).toEqual(['em', 'ph', 'external_id'].includes(field) ? [sha] : sha);
  });
});

describe('event_source_url', () => {
  it.each([
    ['https://a.example/x?email=a%40b.co&q=1', 'https://a.example/x?q=1'],
    ['https://a.example/x?e_mail=a&Phone=1&utm_campaign=c', 'https://a.example/x?utm_campaign=c'],
    ['https://a.example/x?u=someone%40example.org', 'https://a.example/x'],
    ['https://a.example/x?ref=%2B44%20844%20412%204653', 'https://a.example/x'],
    ['https://a.example/x?access_token=secret&id=7', 'https://a.example/x?id=7'],
    ['https://user:pw@a.example/x#frag', 'https://a.example/x'],
    ['https://a.example/x?ScCid=abc', 'https://a.example/x?ScCid=abc'],
    ['https://a.example/thanks/jane%40example.com/done?ScCid=abc', 'https://a.example/?ScCid=abc'],
    ['https://a.example/u/jane@example.com', 'https://a.example/'],
    ['https://a.example/call/+44%20844%20412%204653', 'https://a.example/'],
    ['https://a.example/order/10042/thank-you', 'https://a.example/order/10042/thank-you'],
    ['ftp://a.example/x', null],
    ['not a url', null],
    [null, null],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeLandingUrl(input)).toBe(expected);
  });

  it('keeps only origin and path of a URL template', () => {
    expect(sanitizeTemplateUrl('https://o.example/lp/{offer}?a={clickid}#x')).toBe('https://o.example/lp/%7Boffer%7D');
  });
});
