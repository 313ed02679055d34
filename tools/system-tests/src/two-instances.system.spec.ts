import { randomUUID } from 'node:crypto';
import { startSystem, type Platform } from './platform';

const { walkthrough, client, waitFor } = require('../../scripts/walkthrough.js');

const CONVERSIONS = 1000;
const CONCURRENCY = 40;

async function json(url: string): Promise<any> {
  return (await fetch(url)).json();
}

describe('two instances each of conversion-service, campaign-service and the dispatcher', () => {
  let p: Platform;
  beforeAll(async () => {
    // The tracking proxy's per-IP limit is off: every postback of this test comes from 127.0.0.1.
    p = await startSystem({ instances: 2, env: { RATE_LIMIT_PER_IP: '0' } });
  }, 240000);
  afterAll(async () => {
    await p?.stop();
  });

  it('runs every scalable service twice, behind round-robin proxies for the HTTP ones', () => {
    const names = p.handle.procs.map((x) => x.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'campaign-service-1',
        'campaign-service-2',
        'campaign-service-lb',
        'conversion-service-1',
        'conversion-service-2',
        'conversion-service-lb',
        'snapchat-capi-dispatcher-1',
        'snapchat-capi-dispatcher-2',
      ]),
    );
    expect(names).not.toContain('snapchat-capi-dispatcher');
  });

  it(`delivers the walkthrough and then ${CONVERSIONS} postbacks to each target pixel exactly once`, async () => {
    const result = await walkthrough({
      gatewayUrl: p.gatewayUrl,
      trackingUrl: p.trackingUrl,
      sandboxUrl: p.sandboxUrl,
      apiKey: p.apiKey,
    });
    expect(result.received).toHaveLength(1);

    // A second target: a pixel on the offer, so every conversion goes to two pixels (channel + offer).
    const gql = client(p.gatewayUrl, p.apiKey);
    const offerPixelId = randomUUID();
    await gql(`mutation($o: ID!, $i: PixelInput!) { addOfferPixel(offerId: $o, input: $i) { id } }`, {
      o: result.offer.id,
      i: {
        pixelId: offerPixelId,
        accessToken: `offer-token-${randomUUID()}`,
        eventMapping: [{ conversionTypeId: result.types.Purchase.id, snapEventName: 'PURCHASE' }],
      },
    });
    const pixels = [result.pixel.pixelId as string, offerPixelId];

    // 1,000 postbacks through the tracking host, with the offer source's secret, each with its own event id.
    const tag = randomUUID().slice(0, 8);
    const ids = Array.from({ length: CONVERSIONS }, (_, i) => `two-${tag}-${i}`);
    const answers: Array<{ id: string; http: number; status?: string; error?: string }> = [];
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const url = new URL(`${p.trackingUrl}/postback`);
        for (const [k, v] of Object.entries({
          clickid: result.click.clickid,
          type: 'Purchase',
          sum: '1.50',
          currency: 'USD',
          eventid: id,
          secret: result.source.postbackSecret,
        }))
          url.searchParams.set(k, v as string);
        const res = await fetch(url);
        const body: any = await res.json().catch(() => ({}));
        answers.push({ id, http: res.status, status: body.status, error: body.error });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const notAccepted = answers.filter((a) => a.http !== 200 || a.status !== 'accepted');
    expect(notAccepted).toEqual([]);

    // Every conversion at each pixel. The channel pixel also holds the walkthrough's event; the offer pixel may hold it
    // too (a new placement re-targets conversions received up to RETARGET_CLOCK_SKEW_MS before it was created).
    const walkthroughId = result.received[0].event.event_id as string;
    const expected: Record<string, number> = { [pixels[0]!]: CONVERSIONS + 1, [pixels[1]!]: CONVERSIONS };
    await waitFor(
      async () => {
        const stats = await json(`${p.sandboxUrl}/__admin/stats`);
        return pixels.every((px) => (stats.pixels[px]?.unique_event_ids ?? 0) >= expected[px]!);
      },
      'every conversion at both pixels',
      120000,
    ).catch(async (e: Error) => {
      const stats = await json(`${p.sandboxUrl}/__admin/stats`);
      throw new Error(`${e.message}: ${JSON.stringify(pixels.map((px) => stats.pixels[px]))}`);
    });
    // A moment for anything sent twice to arrive, then the exact check.
    await new Promise((r) => setTimeout(r, 2000));
    for (const px of pixels) {
      const { events } = await json(`${p.sandboxUrl}/__admin/events?pixel_id=${px}`);
      const perId = new Map<string, number>();
      for (const e of events) perId.set(e.event_id, (perId.get(e.event_id) ?? 0) + 1);
      const ours = ids.map((id) => perId.get(id) ?? 0);
      const others = [...perId.keys()].filter((id) => !ids.includes(id));
      expect({
        pixel: px,
        missing: ours.filter((n) => n === 0).length,
        twice: ours.filter((n) => n > 1).length,
        walkthroughEventOnce: px === pixels[0] ? perId.get(walkthroughId) === 1 : (perId.get(walkthroughId) ?? 0) <= 1,
        others: others.filter((id) => id !== walkthroughId),
      }).toEqual({
        pixel: px,
        missing: 0,
        twice: 0,
        walkthroughEventOnce: true,
        others: [],
      });
      expect(events).toHaveLength(perId.size);
    }
    const stats = await json(`${p.sandboxUrl}/__admin/stats`);
    expect(stats.events.duplicates).toBe(0);
    expect(stats.duplicates).toEqual([]);

    // Both dispatchers hold their own instance lock on the shared ledger, and together they sent everything once.
    const ports = (p.launch as { ports: { dispatcher: number } }).ports;
    const dispatchers = await Promise.all(
      [1, 2].map((i) => json(`http://127.0.0.1:${ports.dispatcher + 100 * i}/stats`)),
    );
    expect(dispatchers.map((d) => d.instance_lock_held)).toEqual([true, true]);
    expect(new Set(dispatchers.map((d) => d.instance)).size).toBe(2);
    const delivered = dispatchers.reduce((n, d) => n + d.sender.delivered, 0);
    const atSandbox = (await json(`${p.sandboxUrl}/__admin/stats`)).events.accepted;
    expect(delivered).toBe(atSandbox);
    expect(atSandbox).toBeGreaterThanOrEqual(2 * CONVERSIONS + 1);
  });
});
