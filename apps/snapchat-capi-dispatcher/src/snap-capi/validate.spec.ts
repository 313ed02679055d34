import { InvalidAuthenticationError, PayloadValidationError } from '@snaptrack/util-errors';
import { SHA256_OF_EMPTY_STRING, type SnapEvent } from './mapping';
import { SnapEventInvalid, assertValidPixelId, assertValidSnapEvent } from './validate';

const NOW = Date.parse('2024-01-17T17:00:00Z');
const EM = '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345';

function event(patch: Partial<SnapEvent> = {}): SnapEvent {
  return {
    event_name: 'PURCHASE',
    event_time: Math.floor(NOW / 1000) - 60,
    event_id: 'ord-1',
    action_source: 'WEB',
    event_source_url: 'https://shop.example.com/thanks',
    integration: 'snaptrack',
    user_data: { em: [EM] },
    custom_data: { currency: 'USD', value: 10, order_id: 'ord-1' },
    ...patch,
  };
}

function reasonOf(e: SnapEvent): { reason: string; field: string; code: string } | null {
  try {
    assertValidSnapEvent(e, NOW);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(SnapEventInvalid);
    expect(err).toBeInstanceOf(PayloadValidationError);
    const x = err as SnapEventInvalid;
    return { reason: x.reasonCode, field: x.field, code: x.code };
  }
}

describe('assertValidSnapEvent (docs/snap-capi.md "Pre-send checks and the sandbox")', () => {
  it('accepts a complete web purchase', () => {
    expect(reasonOf(event())).toBeNull();
  });

  it('accepts IP + user agent as the only identifiers, and a non-purchase without custom_data', () => {
    expect(
      reasonOf(
        event({
          event_name: 'SIGN_UP',
          custom_data: undefined,
          user_data: { client_ip_address: '203.0.113.7', client_user_agent: 'Mozilla/5.0' },
        }),
      ),
    ).toBeNull();
  });

  it('accepts an event exactly 37 days old and one 5 minutes ahead', () => {
    expect(reasonOf(event({ event_time: Math.floor(NOW / 1000) - 37 * 86400 }))).toBeNull();
    expect(reasonOf(event({ event_time: Math.floor(NOW / 1000) + 300 }))).toBeNull();
  });

  it.each<[string, Partial<SnapEvent>, string, string]>([
    [
      'an event older than 37 days is too_old',
      { event_time: Math.floor(NOW / 1000) - 37 * 86400 - 1 },
      'too_old',
      'event_time',
    ],
    [
      'more than 5 minutes in the future',
      { event_time: Math.floor(NOW / 1000) + 301 },
      'event_time_in_future',
      'event_time',
    ],
    ['milliseconds instead of seconds', { event_time: NOW }, 'invalid_event_time', 'event_time'],
    ['a fractional time', { event_time: 1705508777.5 }, 'invalid_event_time', 'event_time'],
    [
      "an unknown event name (ADD_TO_CART is not Snap's)",
      { event_name: 'ADD_TO_CART' },
      'invalid_event_name',
      'event_name',
    ],
    ['a lowercase event name', { event_name: 'purchase' }, 'invalid_event_name', 'event_name'],
    ['action_source other than WEB', { action_source: 'website' as 'WEB' }, 'invalid_action_source', 'action_source'],
    ['no event_source_url', { event_source_url: undefined }, 'missing_event_source_url', 'event_source_url'],
    ['a relative event_source_url', { event_source_url: '/thanks' }, 'invalid_event_source_url', 'event_source_url'],
    [
      'a non-http event_source_url',
      { event_source_url: 'ftp://x.example/a' },
      'invalid_event_source_url',
      'event_source_url',
    ],
    ['an empty event_id', { event_id: ' ' }, 'missing_event_id', 'event_id'],
    ['no identifier at all', { user_data: {} }, 'insufficient_identifiers', 'user_data'],
    [
      'an IP without a user agent is not enough',
      { user_data: { client_ip_address: '203.0.113.7' } },
      'insufficient_identifiers',
      'user_data',
    ],
    ['names alone are not enough', { user_data: { fn: EM, ln: EM } }, 'insufficient_identifiers', 'user_data'],
    ['sha256("") as em', { user_data: { em: [SHA256_OF_EMPTY_STRING] } }, 'unhashed_pii', 'user_data.em'],
    ['raw email', { user_data: { em: ['person@example.com'] } }, 'unhashed_pii', 'user_data.em'],
    ['an empty em list', { user_data: { em: [], ph: [EM] } }, 'unhashed_pii', 'user_data.em'],
    ['upper-case hex digest', { user_data: { em: [EM], fn: EM.toUpperCase() } }, 'unhashed_pii', 'user_data.fn'],
    [
      'a hashed IP',
      { user_data: { em: [EM], client_ip_address: EM } },
      'invalid_ip_address',
      'user_data.client_ip_address',
    ],
    [
      'a blank user agent',
      { user_data: { em: [EM], client_user_agent: ' ' } },
      'invalid_user_agent',
      'user_data.client_user_agent',
    ],
    ['PURCHASE without currency', { custom_data: { value: 10 } }, 'missing_currency', 'custom_data.currency'],
    ['PURCHASE without value', { custom_data: { currency: 'USD' } }, 'missing_value', 'custom_data.value'],
    ['PURCHASE without custom_data', { custom_data: undefined }, 'missing_currency', 'custom_data.currency'],
    [
      'a lowercase currency',
      { custom_data: { currency: 'usd', value: 1 } },
      'invalid_currency',
      'custom_data.currency',
    ],
    [
      'a withdrawn currency (HRK)',
      { custom_data: { currency: 'HRK', value: 1 } },
      'invalid_currency',
      'custom_data.currency',
    ],
    [
      'a value that is not a number',
      { custom_data: { currency: 'USD', value: '10' as unknown as number } },
      'invalid_value',
      'custom_data.value',
    ],
    [
      'a data processing option other than LDU',
      { data_processing_options: ['LMU'] },
      'invalid_data_processing_options',
      'data_processing_options',
    ],
  ])('rejects %s', (_name, patch, reason, field) => {
    const r = reasonOf(event(patch));
    expect(r).toMatchObject({ reason, field });
  });

  it('uses the shared error codes for too_old and insufficient_identifiers', () => {
    expect(reasonOf(event({ event_time: 1 }))?.code).toBe('too_old');
    expect(reasonOf(event({ user_data: {} }))?.code).toBe('insufficient_identifiers');
    expect(reasonOf(event({ event_name: 'NOPE' }))?.code).toBe('payload_invalid');
  });

  it('never repeats the rejected value in its message', () => {
    try {
      assertValidSnapEvent(event({ user_data: { em: ['person@example.com'] } }), NOW);
      throw new Error('expected a rejection');
    } catch (e) {
      expect((e as Error).message).not.toContain('person@example.com');
    }
  });
});

describe('assertValidPixelId', () => {
  it('accepts a UUID in either case', () => {
    expect(() => assertValidPixelId('1a2b3c4d-1a2b-4c3d-8e9f-0a1b2c3d4e5f')).not.toThrow();
    expect(() => assertValidPixelId('1A2B3C4D-1A2B-4C3D-8E9F-0A1B2C3D4E5F')).not.toThrow();
  });
  it('refuses anything else as a configuration error (pixel_not_found)', () => {
    expect(() => assertValidPixelId('12345')).toThrow(InvalidAuthenticationError);
    try {
      assertValidPixelId('pixel-1');
    } catch (e) {
      expect((e as InvalidAuthenticationError).code).toBe('pixel_not_found');
    }
  });
});
