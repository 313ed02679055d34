import { TOPICS, topicName } from '@snaptrack/contracts-events';
import { useInMemoryTracing } from '@snaptrack/util-observability';
import { waitFor } from '@snaptrack/util-testing';
import { conversion, newPixel, pixelEntity } from './factories';
import { startHarness, type Harness } from './harness';

const spans = useInMemoryTracing();

/** The value of one series of a Prometheus text scrape (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** /metrics on the health port, and the Snapchat request span that continues a conversion's trace. */
describe('dispatcher metrics and traces (real broker, database and in-process sandbox)', () => {
  const acc = 'acc_observability';
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ config: { retryBaseMs: 300, retryMaxDelayMs: 1000, rateLimitPerToken: 0 } });
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function pixelOnOwnOffer() {
    const p = newPixel();
    const offerId = `of_${p.pixelId.slice(0, 8)}`;
    h.sandbox.registerPixel(p.pixelId, p.token);
    await h.applyConfig(
      pixelEntity({
        accountId: acc,
        pixelId: p.pixelId,
        token: p.token,
        placement: { kind: 'offer', offer_id: offerId },
        mapping: { ct_lead: 'SIGN_UP' },
      }),
    );
    return { ...p, offerId };
  }
  const scrape = async () => {
    const res = await fetch(`${h.app!.url}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('continues the traceparent of conversion.created.v1 into the Snapchat request span', async () => {
    const p = await pixelOnOwnOffer();
    const c = conversion({ accountId: acc, channelId: 'tc_custom', offerId: p.offerId });
    const traceId = '5e1f2a3b4c5d6e7f8091a2b3c4d5e6f7';
    await h.producer.send({
      topic: topicName(h.prefix, TOPICS.conversionCreatedV1),
      acks: -1,
      messages: [
        {
          key: c.conversion_id,
          value: JSON.stringify(c),
          headers: { traceparent: `00-${traceId}-3333333333333333-01` },
        },
      ],
    });
    await h.waitForLedger('the traced delivery', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    const span = await waitFor(() =>
      spans.getFinishedSpans().find((s) => s.name === 'snap capi send' && s.spanContext().traceId === traceId),
    );
    expect(span.parentSpanContext?.spanId).toBe('3333333333333333');
    expect(span.attributes['http.response.status_code']).toBe('200');
    expect(JSON.stringify(span.attributes)).not.toContain(p.token);
  });

  it(
    'serves deliveries, Snap request durations, batch sizes, retry depth, paused tokens and lag on ' + '/metrics',
    async () => {
      const p = await pixelOnOwnOffer();
      // A 429 with a long Retry-After: the token pauses and the delivery waits in the retry queue.
      h.sandbox.addFault({ pixel_id: p.pixelId, status: 429, retry_after_s: 120 });
      const c = conversion({ accountId: acc, channelId: 'tc_custom', offerId: p.offerId });
      await h.publishConversions([c]);
      await h.waitForLedger('the rate-limited delivery', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'retrying'),
      );
      const text = await waitFor(async () => {
        const t = await scrape();
        return sample(t, 'snaptrack_config_view_revision')! > 0 ? t : undefined;
      });
      expect(sample(text, 'snaptrack_deliveries_total', { status: 'delivered' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'snaptrack_deliveries_total', { status: 'retrying', reason: 'rate_limited' })).toBe(1);
      expect(sample(text, 'snaptrack_snap_request_duration_seconds_count', { status: '200' })).toBeGreaterThanOrEqual(
        1,
      );
      expect(sample(text, 'snaptrack_snap_request_duration_seconds_count', { status: '429' })).toBe(1);
      expect(sample(text, 'snaptrack_snap_batch_size_count')).toBeGreaterThanOrEqual(2);
      expect(sample(text, 'snaptrack_delivery_retry_queue_depth')).toBe(1);
      expect(sample(text, 'snaptrack_paused_tokens')).toBe(1);
      expect(
        sample(text, 'snaptrack_kafka_consumer_lag', { topic: topicName(h.prefix, TOPICS.conversionCreatedV1) }),
      ).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'snaptrack_outbox_pending_rows')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'snaptrack_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
      expect(text).not.toContain(p.token);
      expect(text).not.toContain(c.conversion_id);
    },
  );
});
