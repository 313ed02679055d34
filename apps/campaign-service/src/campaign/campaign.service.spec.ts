import type { GraphQLError } from 'graphql';
import { optionalUrl, validOffers } from './campaign.service';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return null;
  } catch (e) {
    return (e as GraphQLError).extensions?.code ?? 'other';
  }
};

describe('campaign input rules', () => {
  it('defaults the weight of a single offer', () => {
    expect(validOffers([{ offerId: 'o1' }])).toEqual([{ offer_id: 'o1', weight: 100 }]);
  });

  it('keeps given weights', () => {
    expect(
      validOffers([
        { offerId: 'o1', weight: 3 },
        { offerId: 'o2', weight: 1 },
      ]),
    ).toEqual([
      { offer_id: 'o1', weight: 3 },
      { offer_id: 'o2', weight: 1 },
    ]);
  });

  it.each([
    ['no offers', []],
    ['a missing weight among several', [{ offerId: 'o1', weight: 1 }, { offerId: 'o2' }]],
    ['a zero weight', [{ offerId: 'o1', weight: 0 }]],
    ['a negative weight', [{ offerId: 'o1', weight: -2 }]],
    ['a huge weight', [{ offerId: 'o1', weight: 10_001 }]],
    [
      'a duplicate',
      [
        { offerId: 'o1', weight: 1 },
        { offerId: 'o1', weight: 1 },
      ],
    ],
    ['an empty id', [{ offerId: ' ' }]],
  ])('refuses %s', (_label, offers) => {
    expect(codeOf(() => validOffers(offers))).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['https://shop.example.com/lp?x=1', true, 'https://shop.example.com/lp?x=1'],
    ['  https://shop.example.com/  ', false, 'https://shop.example.com/'],
    ['', false, null],
    [null, true, null],
  ])('accepts %p', (raw, landing, expected) => {
    expect(optionalUrl(raw, 'f', landing)).toBe(expected);
  });

  it.each([
    ['javascript:alert(1)', false],
    ['ftp://x.example.com/', false],
    ['shop.example.com/lp', false],
    ['https://shop.example.com/#x', true],
    [`https://shop.example.com/${'a'.repeat(3000)}`, false],
  ])('refuses %s', (raw, landing) => {
    expect(codeOf(() => optionalUrl(raw, 'f', landing))).toBe('BAD_USER_INPUT');
  });
});
