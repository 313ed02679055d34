import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const { startTrackingProxy } = require('../../scripts/tracking-proxy.js');

function upstream(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name, url: req.url, xff: req.headers['x-forwarded-for'] }));
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () =>
      r({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe('tracking proxy (the single local tracking host)', () => {
  let campaign: Awaited<ReturnType<typeof upstream>>;
  let conversion: Awaited<ReturnType<typeof upstream>>;
  let proxy: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    campaign = await upstream('campaign');
    conversion = await upstream('conversion');
    proxy = await startTrackingProxy({
      port: 0,
      campaignUrl: campaign.url,
      conversionUrl: conversion.url,
      ratePerIp: 0,
    });
  });
  afterAll(async () => {
    await proxy.close();
    campaign.server.close();
    conversion.server.close();
  });

  it(
    'routes postbacks to conversion-service and everything else to campaign-service, with ' + 'X-Forwarded-For',
    async () => {
      const pb = await (await fetch(`${proxy.url}/postback?clickid=abc`)).json();
      expect(pb).toMatchObject({ name: 'conversion', url: '/postback?clickid=abc', xff: '127.0.0.1' });
      const click = await (await fetch(`${proxy.url}/AbCdEf1234?ScCid=x`)).json();
      expect(click).toMatchObject({ name: 'campaign', url: '/AbCdEf1234?ScCid=x' });
      expect(((await (await fetch(`${proxy.url}/track.js`)).json()) as { name: string }).name).toBe('campaign');
      expect(((await (await fetch(`${proxy.url}/click?cmpid=AbCdEf1234`)).json()) as { name: string }).name).toBe(
        'campaign',
      );
      // Website conversions: the shop backend and the thank-you page.
      for (const path of ['/conversions', '/conversions/browser']) {
        const r = (await (await fetch(`${proxy.url}${path}`, { method: 'POST', body: '{}' })).json()) as {
          name: string;
          url: string;
        };
        expect([r.name, r.url]).toEqual(['conversion', path]);
      }
      expect((await fetch(`${proxy.url}/conversions/other`, { method: 'POST' })).status).toBe(404);
    },
  );

  it('keeps the services’ GraphQL and health endpoints internal', async () => {
    for (const path of ['/graphql', '/readyz', '/postback/../graphql', '/admin']) {
      expect([path, (await fetch(`${proxy.url}${path}`)).status]).toEqual([path, 404]);
    }
    expect((await fetch(`${proxy.url}/healthz`)).status).toBe(200);
  });

  it('rate-limits one IP with 429 and Retry-After', async () => {
    const limited = await startTrackingProxy({
      port: 0,
      campaignUrl: campaign.url,
      conversionUrl: conversion.url,
      ratePerIp: 5,
      burstPerIp: 5,
    });
    try {
      await expectLimited(limited.url);
    } finally {
      await limited.close();
    }
  });
});

async function expectLimited(url: string) {
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await fetch(`${url}/track.js`)).status);
  expect(statuses).toContain(429);
  const res = await fetch(`${url}/track.js`);
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(await res.json()).toMatchObject({ error: 'rate_limited' });
}
