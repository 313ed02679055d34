import { buildPostbackUrl, trackingBase } from './offer-source.postback-url';
import { currency, phoneCountry } from './offer-source.input';

const defaults = {
  clickIdParam: 'clickid',
  payoutParam: 'sum',
  typeParam: 'type',
  eventIdParam: 'eventid',
  currencyParam: 'currency',
  additionalParameters: [],
  hasPostbackToken: false,
};

describe('postback URL', () => {
  it('puts the fixed parameters first, then each additional parameter with its role macro', () => {
    const url = buildPostbackUrl('https://trk.example.com', {
      ...defaults,
      additionalParameters: [
        { param: 'email', role: 'email' },
        { param: 'phone', role: 'phone' },
        { param: 'fname', role: 'first_name' },
        { param: 'lname', role: 'last_name' },
        { param: 'zip', role: 'zip' },
      ],
    });
    expect(url).toBe(
      'https://trk.example.com/postback?clickid={clickid}&sum={payout}&type={type}&eventid={eventid}&currency={currency}&email={email}&phone={phone}&fname={first_name}&lname={last_name}&zip={zip}',
    );
  });

  it('uses renamed parameters and asks for the secret when one is set', () => {
    const url = buildPostbackUrl('http://127.0.0.1:8080/', {
      ...defaults,
      clickIdParam: 'cid',
      payoutParam: 'payout',
      hasPostbackToken: true,
    });
    expect(url).toBe(
      'http://127.0.0.1:8080/postback?cid={clickid}&payout={payout}&type={type}&eventid={eventid}&currency={currency}&secret={secret}',
    );
  });

  it('fills in the secret when it is known (the answer of create and rotate, once)', () => {
    const url = buildPostbackUrl('http://127.0.0.1:8080', {
      ...defaults,
      hasPostbackToken: true,
      postbackSecret: 'pbs_abc-DEF_123',
    });
    expect(url).toBe(
      'http://127.0.0.1:8080/postback?clickid={clickid}&sum={payout}&type={type}&eventid={eventid}&currency={currency}&secret=pbs_abc-DEF_123',
    );
  });

  it('is on the default tracking domain, or on the public tracking URL without one', () => {
    expect(trackingBase('trk.example.com', 'http://127.0.0.1:8080')).toBe('https://trk.example.com');
    expect(trackingBase(null, 'https://track.snaptrack.example')).toBe('https://track.snaptrack.example');
  });
});

describe('offer source settings', () => {
  it('normalises ISO 4217 currencies and ISO 3166 countries', () => {
    expect(currency(' eur ')).toBe('EUR');
    expect(() => currency('EURO')).toThrow(/ISO 4217/);
    expect(() => currency('ABC')).toThrow(/ISO 4217/);
    // The platform's list, not ICU's: a withdrawn code is refused with its replacement.
    expect(() => currency('hrk')).toThrow(
      '"hrk" is a withdrawn ISO 4217 code (Croatia adopted the euro on 2023-01-01)',
    );
    expect(() => currency('BGN')).toThrow(/send EUR instead/);
    expect(currency('xau')).toBe('XAU');
    expect(phoneCountry('gb')).toBe('GB');
    expect(phoneCountry('')).toBeNull();
    expect(() => phoneCountry('UK')).toThrow(/ISO 3166-1 alpha-2/);
  });
});
