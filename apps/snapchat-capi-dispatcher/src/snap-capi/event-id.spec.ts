import { createHash } from 'node:crypto';
import { eventIdOrigin, snapEventIdFor } from './event-id';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * A conversion as conversion-service derives its event_id: sha256(postback_click_id|type|transaction_id ??
 * conversion_id).
 */
function conv(over: { explicit?: boolean | null; eventId?: string; tx?: string | null; clickId?: string | null } = {}) {
  const tx = over.tx === undefined ? 'ord-1' : over.tx;
  const clickId = over.clickId === undefined ? 'clk-1' : over.clickId;
  const base = {
    conversion_id: 'c0a80101-0000-4000-8000-000000000001',
    type: 'Purchase',
    postback_click_id: clickId,
    transaction_id: tx,
  };
  const derived = sha(`${clickId ?? ''}|Purchase|${tx?.trim() || base.conversion_id}`);
  return {
    ...base,
    event_id: over.eventId ?? derived,
    ...(over.explicit !== undefined ? { explicit_event_id: over.explicit } : {}),
  };
}

describe('snapEventIdFor (docs/snap-capi.md "Event ID and deduplication")', () => {
  it('rule 2: a PURCHASE with a transaction id and a derived event id is sent with the transaction id', () => {
    expect(snapEventIdFor(conv({ explicit: false }), 'PURCHASE')).toBe('ord-1');
    expect(snapEventIdFor(conv({ explicit: false, tx: '  ord-2 ' }), 'PURCHASE')).toBe('ord-2');
  });

  it('rule 1: an explicit event id is sent verbatim, even for a PURCHASE with a transaction id', () => {
    expect(snapEventIdFor(conv({ explicit: true, eventId: 'Pixel-Dedup-ABC' }), 'PURCHASE')).toBe('Pixel-Dedup-ABC');
  });

  it('rule 3: any other event name keeps the derived hash', () => {
    const c = conv({ explicit: false });
    expect(snapEventIdFor(c, 'SIGN_UP')).toBe(c.event_id);
    expect(snapEventIdFor(c, 'CUSTOM_EVENT_1')).toBe(c.event_id);
    expect(snapEventIdFor(c, null)).toBe(c.event_id);
  });

  it('a PURCHASE without a transaction id keeps the derived hash', () => {
    for (const tx of [null, '', '   ']) {
      const c = conv({ explicit: false, tx });
      expect(snapEventIdFor(c, 'PURCHASE')).toBe(c.event_id);
    }
  });

  it("explicit_event_id absent: recognises the derived hash from the conversion's own fields", () => {
    expect(eventIdOrigin(conv())).toBe('derived');
    expect(eventIdOrigin(conv({ clickId: null }))).toBe('derived');
    expect(snapEventIdFor(conv(), 'PURCHASE')).toBe('ord-1');
  });

  it('explicit_event_id absent and the id is not the derived hash: unknown, kept as it is', () => {
    const c = conv({ eventId: 'evt-from-postback' });
    expect(eventIdOrigin(c)).toBe('unknown');
    expect(snapEventIdFor(c, 'PURCHASE')).toBe('evt-from-postback');
    expect(snapEventIdFor(conv({ eventId: 'evt-x', explicit: null }), 'PURCHASE')).toBe('evt-x');
  });
});
