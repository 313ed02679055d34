import {
  CAMPAIGN_KEY_PATTERN,
  encodeLinkValue,
  newCampaignKey,
  scriptTag,
  trackingBase,
  trackingLink,
} from './tracking-link';

const SNAP = [
  { name: 'sub1', value: '{{campaign.id}}' },
  { name: 'sub2', value: '{{campaign.name}}' },
];

describe('campaign keys', () => {
  it('are 12 URL-safe base62 characters and do not repeat', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => newCampaignKey()));
    expect(keys.size).toBe(2000);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(CAMPAIGN_KEY_PATTERN.test(newCampaignKey())).toBe(true);
  });
});

describe('tracking links', () => {
  it('leave macro braces unencoded and encode the rest', () => {
    expect(encodeLinkValue('{{campaign.name}}')).toBe('{{campaign.name}}');
    expect(encodeLinkValue('a b&c')).toBe('a%20b%26c');
  });

  it('redirect: base/key?parameters', () => {
    expect(
      trackingLink(
        { key: 'K', trackingMethod: 'REDIRECT', landingPageUrl: null, parameters: SNAP },
        'https://trk.example.com',
      ),
    ).toBe('https://trk.example.com/K?sub1={{campaign.id}}&sub2={{campaign.name}}');
    expect(
      trackingLink(
        { key: 'K', trackingMethod: 'REDIRECT', landingPageUrl: null, parameters: [] },
        'https://trk.example.com',
      ),
    ).toBe('https://trk.example.com/K');
  });

  it.each([
    ['https://shop.example.com/lp', 'https://shop.example.com/lp?cmpid=K&sub1={{campaign.id}}&sub2={{campaign.name}}'],
    [
      'https://shop.example.com/lp?a=1',
      'https://shop.example.com/lp?a=1&cmpid=K&sub1={{campaign.id}}&sub2={{campaign.name}}',
    ],
    ['https://shop.example.com/lp?', 'https://shop.example.com/lp?cmpid=K&sub1={{campaign.id}}&sub2={{campaign.name}}'],
  ])('direct: %s keeps its own query', (landing, expected) => {
    const link = trackingLink(
      { key: 'K', trackingMethod: 'DIRECT', landingPageUrl: landing, parameters: SNAP },
      'https://trk.example.com',
    );
    expect(link).toBe(expected);
    const withScCid = new URL(`${link}&ScCid=abc`);
    expect(withScCid.searchParams.get('ScCid')).toBe('abc');
    expect(withScCid.searchParams.get('cmpid')).toBe('K');
  });

  it('base: https tracking domain, else the public tracking URL', () => {
    expect(trackingBase('trk.example.com', 'http://127.0.0.1:8080')).toBe('https://trk.example.com');
    expect(trackingBase(null, 'http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(scriptTag('https://trk.example.com')).toBe('<script src="https://trk.example.com/track.js" async></script>');
  });
});
