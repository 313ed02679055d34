import { randomBytes } from 'node:crypto';
import { startSystem, type Platform } from './platform';

const { walkthrough, waitFor } = require('../../scripts/walkthrough.js');

/** Series of one Prometheus text scrape: `name{labels} value` lines, labels in any order. */
function series(text: string, name: string, labels: Record<string, string> = {}): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      out.push(Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}
const total = (text: string, name: string, labels: Record<string, string> = {}) =>
  series(text, name, labels).reduce((a, b) => a + b, 0);

/**
 * After the setup guide's walkthrough on the whole platform: every service's /metrics has its series, and one trace id
 * links a postback on the tracking host to the Snapchat request (the sandbox records the request's traceparent).
 */
describe('metrics and traces of the whole platform', () => {
  let p: Platform;
  let ports: Record<string, number>;
  let result: any;
  const scrape = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  beforeAll(async () => {
    p = await startSystem();
    ports = (p.launch as { ports: Record<string, number> }).ports;
    result = await walkthrough({
      gatewayUrl: p.gatewayUrl,
      trackingUrl: p.trackingUrl,
      sandboxUrl: p.sandboxUrl,
      apiKey: p.apiKey,
    });
  }, 300000);
  afterAll(async () => {
    await p?.stop();
  });

  const postback = (eventId: string, headers: Record<string, string> = {}) => {
    const url = new URL(`${p.trackingUrl}/postback`);
    for (const [k, v] of Object.entries({
      secret: result.source.postbackSecret,
      clickid: result.click.clickid,
      type: 'Purchase',
      sum: '5',
      currency: 'USD',
      eventid: eventId,
    }))
      url.searchParams.set(k, v);
    return fetch(url, { headers });
  };

  it('one trace id links a postback on the tracking host to its Snapchat request', async () => {
    const traceId = randomBytes(16).toString('hex');
    const eventId = `ord-trace-${randomBytes(3).toString('hex')}`;
    const res = await postback(eventId, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(res.status).toBe(200);
    const ev = await waitFor(async () => {
      const r = await (await fetch(`${p.sandboxUrl}/__admin/events?pixel_id=${result.pixel.pixelId}`)).json();
      return r.events.find((e: any) => e.event.custom_data?.order_id === eventId);
    }, 'the traced event at the sandbox');
    // postback (tracking host → conversion-service span) → outbox row → Kafka header → dispatcher → Snap request
    // (sampled flag 0: the platform exports no traces, so its spans are not recorded, but the ids travel)
    expect(ev.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  });

  it('every service serves /metrics with its series after the flow', async () => {
    // A 429 with a long Retry-After: the token pauses and one delivery waits in the retry queue.
    const fault = await fetch(`${p.sandboxUrl}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixel_id: result.pixel.pixelId, status: 429, retry_after_s: 300 }),
    });
    expect(fault.status).toBe(201);
    expect((await postback(`ord-429-${randomBytes(3).toString('hex')}`)).status).toBe(200);
    const dispatcher = await waitFor(
      async () => {
        const t = await scrape(ports.dispatcher);
        return total(t, 'snaptrack_paused_tokens') >= 1 && total(t, 'snaptrack_delivery_retry_queue_depth') >= 1
          ? t
          : null;
      },
      'the dispatcher to report the paused token and the retry',
      60000,
    );
    expect(total(dispatcher, 'snaptrack_deliveries_total', { status: 'delivered' })).toBeGreaterThanOrEqual(2);
    expect(total(dispatcher, 'snaptrack_deliveries_total', { status: 'retrying', reason: 'rate_limited' })).toBe(1);
    expect(total(dispatcher, 'snaptrack_snap_request_duration_seconds_count', { status: '200' })).toBeGreaterThan(0);
    expect(total(dispatcher, 'snaptrack_snap_request_duration_seconds_count', { status: '429' })).toBe(1);
    expect(total(dispatcher, 'snaptrack_snap_batch_size_count')).toBeGreaterThan(0);
    expect(total(dispatcher, 'snaptrack_snap_batch_size_sum')).toBeGreaterThan(0);

    const byService: Record<string, string> = { dispatcher };
    for (const name of ['gateway', 'account', 'config', 'campaign', 'conversion'])
      byService[name] = await scrape(ports[name]);
    for (const [name, text] of Object.entries(byService)) {
      expect([name, total(text, 'process_cpu_user_seconds_total')]).toEqual([name, expect.any(Number)]);
      expect([name, total(text, 'process_cpu_user_seconds_total') > 0]).toEqual([name, true]);
      expect([name, total(text, 'nodejs_heap_size_used_bytes') > 0]).toEqual([name, true]);
      // Never a token, secret, click id or customer data in a label.
      expect(text).not.toContain(result.accessToken);
      expect(text).not.toContain(result.source.postbackSecret);
      expect(text).not.toContain(result.click.clickid);
      // The sample values are numbers and may hold any digits (0.046539 once matched 4653); the names, labels and
      // help texts are where customer data must never be.
      const withoutValues = text.replace(/^(?!#)(.*) [-+]?(?:[\d.]+(?:e[-+]?\d+)?|Inf|NaN)$/gim, '$1');
      expect(withoutValues).not.toMatch(/example\.com|4653/i);
    }
    const requests = (name: string, route: string) =>
      total(byService[name], 'snaptrack_http_request_duration_seconds_count', { route });
    expect(requests('gateway', '/graphql')).toBeGreaterThan(0);
    expect(requests('config', '/graphql')).toBeGreaterThan(0);
    expect(requests('campaign', '/click')).toBeGreaterThan(0);
    expect(requests('conversion', '/postback')).toBeGreaterThan(0);
    expect(series(byService.account, 'snaptrack_http_request_duration_seconds_count').length).toBeGreaterThan(0);
    // No raw URL with ids as a route label.
    for (const text of Object.values(byService)) expect(text).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}/);

    const conversion = byService.conversion;
    expect(total(conversion, 'snaptrack_postbacks_total', { outcome: 'accepted' })).toBeGreaterThanOrEqual(3);
    expect(total(conversion, 'snaptrack_postbacks_total', { outcome: 'refused', reason: 'missing_secret' })).toBe(1);
    expect(total(byService.campaign, 'snaptrack_clicks_total', { outcome: 'recorded' })).toBeGreaterThan(0);

    // Kafka consumer lag by group, topic and partition; the config views' revisions; the outboxes.
    for (const name of ['campaign', 'conversion', 'dispatcher']) {
      const text = byService[name];
      expect([name, series(text, 'snaptrack_kafka_consumer_lag').length > 0]).toEqual([name, true]);
      expect([
        name,
        series(text, 'snaptrack_kafka_consumer_lag', { topic: `${p.topicPrefix}config.entity.v1` }),
      ]).toEqual([name, expect.arrayContaining([expect.any(Number)])]);
      expect([name, total(text, 'snaptrack_config_view_revision') > 0]).toEqual([name, true]);
      expect([name, series(text, 'snaptrack_config_view_lag_messages')]).toEqual([name, [expect.any(Number)]]);
    }
    for (const name of ['config', 'conversion', 'dispatcher']) {
      const text = byService[name];
      expect([name, series(text, 'snaptrack_outbox_pending_rows')]).toEqual([name, [expect.any(Number)]]);
      expect([name, series(text, 'snaptrack_outbox_oldest_age_seconds')]).toEqual([name, [expect.any(Number)]]);
    }
  });
});
