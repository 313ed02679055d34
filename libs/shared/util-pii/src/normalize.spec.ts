import {
  normalize,
  normalizeCity,
  normalizeCountry,
  normalizeEmail,
  normalizeExternalId,
  normalizeName,
  normalizePhone,
  normalizeState,
  normalizeZip,
  type NormalizeResult,
} from './normalize';

const ok = (value: string): NormalizeResult => ({ value });
const EMPTY: NormalizeResult = { dropped: 'empty' };
const INVALID: NormalizeResult = { dropped: 'invalid' };

describe('normalizeEmail', () => {
  it.each<[string, NormalizeResult]>([
    ['Person@Example.com', ok('person@example.com')],
    ['    test123@example.com  ', ok('test123@example.com')],
    ['First.Last+Tag@Example.CO.UK', ok('first.last+tag@example.co.uk')], // dots and +tag are kept
    ['ÉLODIE@Exemple.fr', ok('élodie@exemple.fr')],
    ['E\u0301lodie@exemple.fr', ok('\u00e9lodie@exemple.fr')], // NFC first
    ['no-at-sign.example.com', INVALID],
    ['', EMPTY],
    [' \t\n ', EMPTY],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toEqual(expected);
  });
});

describe('normalizePhone (docs/snap-capi.md "Phone numbers")', () => {
  // The table of docs/snap-capi.md "Phone numbers", verbatim.
  it.each<[string, string | undefined, NormalizeResult]>([
    ['+44 844 412 4653', undefined, ok('448444124653')],
    ['+44 (0)20 7946 0958', undefined, ok('442079460958')],
    ['020 7946 0958', 'GB', ok('442079460958')],
    ['0170 1234567', 'DE', ok('491701234567')],
    ['0044-447-234-2344', undefined, ok('444472342344')],
    ['447-234-2344', undefined, INVALID],
  ])('phone table: %j (default %s) → %j', (input, country, expected) => {
    expect(normalizePhone(input, country)).toEqual(expected);
  });

  it.each<[string, string | undefined, NormalizeResult]>([
    // isValid() is not required: +44 447… is not a valid UK number, but it is possible, and Snap's SDK tests accept it
    ['+44 447 234 2344', undefined, ok('444472342344')],
    // trunk 0 after the country code is dropped
    ['+44-0447-234-2344', undefined, ok('444472342344')],
    // the default country is accepted in any case, or as a name
    ['020 7946 0958', 'gb', ok('442079460958')],
    ['020 7946 0958', 'United Kingdom', ok('442079460958')],
    ['020 7946 0958', 'GBR', ok('442079460958')],
    // an unknown default country is ignored (so a national number cannot be parsed)
    ['020 7946 0958', 'XX', INVALID],
    ['020 7946 0958', undefined, INVALID],
    // an international number ignores the default country
    ['+49 170 1234567', 'GB', ok('491701234567')],
    // a national number for the US
    ['(213) 373-4253', 'US', ok('12133734253')],
    // surrounding whitespace, then 00 → +
    ['  0044 20 7946 0958  ', undefined, ok('442079460958')],
    // the extension is not part of E.164
    ['+1 213 373 4253 ext. 123', undefined, ok('12133734253')],
    // parseable but not a possible length → omitted
    ['+447-234-2344', undefined, INVALID],
    ['+44 12', undefined, INVALID],
    ['not a phone', undefined, INVALID],
    ['---', undefined, INVALID],
    ['', undefined, EMPTY],
    ['   ', 'GB', EMPTY],
  ])('%j (default %s) → %j', (input, country, expected) => {
    expect(normalizePhone(input, country)).toEqual(expected);
  });

  it('never keeps the naive (0) trunk digit', () => {
    expect(normalizePhone('+44 (0)20 7946 0958')).not.toEqual(ok('4402079460958'));
  });
});

describe('normalizeName (fn / ln)', () => {
  it.each<[string, NormalizeResult]>([
    ['John', ok('john')],
    ['Raphaël', ok('raphaël')],
    ['Rapha\u0065\u0308l', ok('rapha\u00ebl')], // decomposed ë → precomposed (NFC)
    // whitespace stripped (our default: docs/snap-capi.md "Choices this project made where Snap says nothing")
    ['  Mary Ann  ', ok('maryann')],
    ["O'Brien", ok('obrien')],
    ['O’Brien', ok('obrien')],
    ['Jean-Luc', ok('jeanluc')],
    ['ZOË', ok('zoë')],
    ['José', ok('josé')],
    ['Dr. Smith!', ok('drsmith')],
    ['John 😀', ok('john')], // symbols (emoji) stripped
    ['Anne\u200B', ok('anne')], // zero-width space stripped
    ['Ἀλέξανδρος', ok('ἀλέξανδρος')],
    ['王小明', ok('王小明')],
    ['Louis XIV', ok('louisxiv')],
    ['Ann2', ok('ann2')], // digits are neither punctuation nor symbols
    ['!!! ...', EMPTY],
    ['', EMPTY],
  ])('%j → %j', (input, expected) => {
    expect(normalizeName(input)).toEqual(expected);
  });

  it('first_name and last_name use the same rule', () => {
    expect(normalize('first_name', ' De La Cruz ')).toEqual(ok('delacruz'));
    expect(normalize('last_name', ' De La Cruz ')).toEqual(ok('delacruz'));
  });
});

describe('normalizeCity (ct)', () => {
  it.each<[string, NormalizeResult]>([
    ['Menlo Park', ok('menlopark')],
    ['St. Louis', ok('stlouis')],
    ['Winston-Salem', ok('winstonsalem')],
    ['São Paulo', ok('são paulo'.replace(' ', ''))],
    ['Frankfurt am Main', ok('frankfurtammain')],
    ['  LONDON ', ok('london')],
    ['...', EMPTY],
    ['', EMPTY],
  ])('%j → %j', (input, expected) => {
    expect(normalizeCity(input)).toEqual(expected);
  });
});

describe('normalizeState (st)', () => {
  it.each<[string, NormalizeResult]>([
    ['CA', ok('ca')],
    ['California', ok('ca')],
    ['  california ', ok('ca')],
    ['New York', ok('ny')],
    ['N.Y.', ok('ny')],
    ['US-TX', ok('tx')],
    ['District of Columbia', ok('dc')],
    ['Washington, D.C.', ok('dc')],
    ['Washington', ok('wa')],
    ['Puerto Rico', ok('pr')],
    ['Ontario', ok('ontario')], // no mapping outside the US: lowercase, no spaces or punctuation
    ['Île-de-France', ok('îledefrance')],
    ['NSW', ok('nsw')],
    ['Baden-Württemberg', ok('badenwürttemberg')],
    ['', EMPTY],
    [' - ', EMPTY],
  ])('%j → %j', (input, expected) => {
    expect(normalizeState(input)).toEqual(expected);
  });
});

describe('normalizeZip (zp)', () => {
  it.each<[string, string | undefined, NormalizeResult]>([
    // country unknown: the US ZIP / ZIP+4 shape gives the first 5 digits
    ['94025-1234', undefined, ok('94025')],
    ['94025 1234', undefined, ok('94025')],
    ['940251234', undefined, ok('94025')],
    ['94025', undefined, ok('94025')],
    ['00000', undefined, ok('00000')],
    // country unknown, not US-shaped: full code, lowercase, no spaces or dashes
    ['SW1A 1AA', undefined, ok('sw1a1aa')],
    ['1234-567', undefined, ok('1234567')],
    // US
    ['94025-1234', 'US', ok('94025')],
    ['94025-1234', 'United States', ok('94025')],
    [' 02134 ', 'us', ok('02134')],
    ['2134', 'US', ok('2134')], // fewer than 5 digits: kept as given (no guessing a lost leading zero)
    // elsewhere: the full code
    ['SW1A 1AA', 'GB', ok('sw1a1aa')],
    ['K1A 0B6', 'CA', ok('k1a0b6')],
    ['10115', 'DE', ok('10115')],
    ['1234-567', 'PT', ok('1234567')],
    ['100\u20130001', 'JP', ok('1000001')], // en dash counts as a dash
    ['12345-6789', 'DE', ok('123456789')], // known non-US country: not truncated
    ['', undefined, EMPTY],
    [' - ', 'US', EMPTY],
  ])('%j (country %s) → %j', (input, country, expected) => {
    expect(normalizeZip(input, country)).toEqual(expected);
  });
});

describe('normalizeCountry', () => {
  it.each<[string, NormalizeResult]>([
    ['India', ok('in')],
    ['IN', ok('in')],
    ['in', ok('in')],
    ['IND', ok('in')],
    ['United Kingdom', ok('gb')],
    ['UK', ok('gb')],
    ['Great Britain', ok('gb')],
    ['GB', ok('gb')],
    ['GBR', ok('gb')],
    ['United States', ok('us')],
    ['United States of America', ok('us')],
    ['USA', ok('us')],
    ['U.S.A.', ok('us')],
    ['US', ok('us')],
    ['  germany ', ok('de')],
    ['Deutschland', ok('de')],
    ["Côte d'Ivoire", ok('ci')],
    ['Cote d’Ivoire', ok('ci')],
    ['Ivory Coast', ok('ci')],
    ['The Netherlands', ok('nl')],
    ['Holland', ok('nl')],
    ['St. Lucia', ok('lc')],
    ['Saint Lucia', ok('lc')],
    ['Korea, Republic of', ok('kr')],
    ['South Korea', ok('kr')],
    ['Bosnia & Herzegovina', ok('ba')],
    ['Turkey', ok('tr')],
    ['Türkiye', ok('tr')],
    ['Czech Republic', ok('cz')],
    ['Kosovo', ok('xk')],
    ['Korea', INVALID], // ambiguous: omitted rather than guessed
    ['Narnia', INVALID],
    ['ZZ', INVALID],
    ['Male', INVALID],
    ['', EMPTY],
    [' . ', EMPTY],
  ])('%j → %j', (input, expected) => {
    expect(normalizeCountry(input)).toEqual(expected);
  });
});

describe('normalizeExternalId', () => {
  it.each<[string, NormalizeResult]>([
    ['User1234', ok('user1234')],
    ['  ABC-def_9 ', ok('abc-def_9')],
    ['', EMPTY],
    ['  ', EMPTY],
  ])('%j → %j', (input, expected) => {
    expect(normalizeExternalId(input)).toEqual(expected);
  });
});

describe('normalize(role, …)', () => {
  it('passes defaultCountry to the phone and zip rules', () => {
    expect(normalize('phone', '020 7946 0958', { defaultCountry: 'GB' })).toEqual(ok('442079460958'));
    expect(normalize('zip', '12345-6789', { defaultCountry: 'DE' })).toEqual(ok('123456789'));
    expect(normalize('zip', '12345-6789', { defaultCountry: 'US' })).toEqual(ok('12345'));
  });

  it('treats an unknown role from an untyped caller as invalid', () => {
    expect(normalize('gender' as never, 'm')).toEqual(INVALID);
  });
});
