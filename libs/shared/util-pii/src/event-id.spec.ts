import { createHash } from 'node:crypto';
import { deriveConversionEventId, deriveEventId, type EventIdInput } from './event-id';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const base = { clickId: 'clk-1', conversionType: 'sale', conversionId: 'conv-1' } as const;

describe('deriveEventId (docs/snap-capi.md "Event ID and deduplication")', () => {
  it.each<[string, EventIdInput, string]>([
    // 1. explicit id: verbatim, only trimmed, never hashed; wins over everything else
    ['explicit id, trimmed', { ...base, explicitEventId: '  Pixel-Dedup-ABC  ' }, 'Pixel-Dedup-ABC'],
    [
      'explicit id beats a PURCHASE transaction id',
      { ...base, explicitEventId: 'evt-9', snapEventName: 'PURCHASE', transactionId: 'ord-10042' },
      'evt-9',
    ],
    [
      'explicit id that looks like a hash stays as sent',
      { ...base, explicitEventId: 'ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789' },
      'ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789',
    ],
    // 2. PURCHASE with a transaction id → the transaction id
    ['PURCHASE with a transaction id', { ...base, snapEventName: 'PURCHASE', transactionId: 'ord-10042' }, 'ord-10042'],
    ['PURCHASE, transaction id trimmed', { ...base, snapEventName: 'PURCHASE', transactionId: ' ord-1 ' }, 'ord-1'],
    ['purchase in another case', { ...base, snapEventName: 'purchase', transactionId: 'ord-10042' }, 'ord-10042'],
    // 3. otherwise sha256(clickId|conversionType|transactionId ?? conversionId)
    [
      'no explicit id, no transaction id',
      { ...base, snapEventName: 'SIGN_UP' },
      '48118aaa5e1e8a146dd9ed5014077053113bb265970b2df13bde337b9342cff2', // sha256('clk-1|sale|conv-1')
    ],
    [
      'not a PURCHASE, with a transaction id',
      { ...base, conversionType: 'lead', snapEventName: 'SIGN_UP', transactionId: 'T-77' },
      '73d9d0f543cf3d5e1de952337edf4c449d92f55c25cfd13c6a0b28002220a441', // sha256('clk-1|lead|T-77')
    ],
    ['PURCHASE without a transaction id', { ...base, snapEventName: 'PURCHASE' }, sha('clk-1|sale|conv-1')],
    ['no snap event name, with a transaction id', { ...base, transactionId: 'T-1' }, sha('clk-1|sale|T-1')],
    // blank strings count as absent
    ['blank explicit id falls through', { ...base, explicitEventId: '   ' }, sha('clk-1|sale|conv-1')],
    ['null explicit id falls through', { ...base, explicitEventId: null }, sha('clk-1|sale|conv-1')],
    [
      'blank transaction id on a PURCHASE uses the conversion id',
      { ...base, snapEventName: 'PURCHASE', transactionId: '  ' },
      sha('clk-1|sale|conv-1'),
    ],
  ])('%s', (_name, input, expected) => {
    expect(deriveEventId(input)).toBe(expected);
  });

  it('derived ids are 64 lowercase hex characters', () => {
    expect(deriveEventId({ ...base, snapEventName: 'SIGN_UP' })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable: the same conversion always gets the same id', () => {
    const input: EventIdInput = { ...base, snapEventName: 'START_CHECKOUT', transactionId: 'T-5' };
    const first = deriveEventId(input);
    for (let i = 0; i < 50; i++) expect(deriveEventId({ ...input })).toBe(first);
  });

  it('does not depend on the order or presence of unrelated fields', () => {
    const a = deriveEventId({ conversionId: 'conv-1', conversionType: 'sale', clickId: 'clk-1' });
    const b = deriveEventId({
      clickId: 'clk-1',
      conversionType: 'sale',
      conversionId: 'conv-1',
      explicitEventId: undefined,
    });
    expect(a).toBe(b);
  });

  it.each<[string, Partial<EventIdInput>]>([
    ['click id', { clickId: 'clk-2' }],
    ['conversion type', { conversionType: 'Sale' }],
    ['conversion id', { conversionId: 'conv-2' }],
    ['transaction id', { transactionId: 'T-2' }],
  ])('a different %s gives a different derived id', (_name, change) => {
    expect(deriveEventId({ ...base, ...change })).not.toBe(deriveEventId(base));
  });
});

describe('deriveConversionEventId (independent of the Snap event mapping)', () => {
  it('equals deriveEventId for any input that is not a PURCHASE with a transaction id', () => {
    for (const extra of [{}, { transactionId: 'T-1' }, { explicitEventId: ' e-1 ' }]) {
      expect(deriveConversionEventId({ ...base, ...extra })).toBe(
        deriveEventId({ ...base, ...extra, snapEventName: 'SIGN_UP' }),
      );
    }
  });

  it('uses the explicit id verbatim (trimmed)', () => {
    expect(deriveConversionEventId({ ...base, explicitEventId: ' e-1 ' })).toBe('e-1');
  });

  it('never returns the bare transaction id (rule 2 is mapping-dependent)', () => {
    const id = deriveConversionEventId({ ...base, transactionId: 'ord-10042' });
    expect(id).toBe(sha('clk-1|sale|ord-10042'));
    expect(deriveEventId({ ...base, transactionId: 'ord-10042', snapEventName: 'PURCHASE' })).toBe('ord-10042');
  });

  it('stays the same when the Snap event mapping changes', () => {
    const input = { ...base, transactionId: 'ord-1' };
    const before = deriveConversionEventId(input);
    // e.g. the pixel's mapping for "sale" moves from CUSTOM_EVENT_1 to PURCHASE: deriveEventId changes, this does not
    expect(deriveEventId({ ...input, snapEventName: 'CUSTOM_EVENT_1' })).toBe(before);
    expect(deriveEventId({ ...input, snapEventName: 'PURCHASE' })).not.toBe(before);
    expect(deriveConversionEventId(input)).toBe(before);
  });
});
