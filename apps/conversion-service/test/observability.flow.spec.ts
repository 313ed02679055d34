import { TOPICS } from '@snaptrack/contracts-events';
import { useInMemoryTracing } from '@snaptrack/util-observability';
import { waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  postback,
  publishClickAndWait,
  rawRequest,
  seedAccount,
  type CollectedMessage,
  type SeededAccount,
} from './factories';

const spans = useInMemoryTracing();

/** The value of one series of a Prometheus text scrape (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const has = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (has) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metrics and traces (real broker and database)', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  let events: CollectedMessage[];

  beforeAll(async () => {
    app = await startTestConversionService();
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
    events = await bus.collect(TOPICS.conversionCreatedV1);
  });
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  const scrape = async () => {
    const res = await rawRequest(app.url, { path: '/metrics' });
    expect(res.status).toBe(200);
    return res.body as string;
  };

  it('counts postbacks by outcome and refusal code, and request durations by route template', async () => {
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
    );
    const ok = await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'Purchase', sum: '3' });
    expect(ok.body.status).toBe('accepted');
    const again = await postback(app.url, { secret: acc.secret, clickid: click.click_id, type: 'Purchase', sum: '3' });
    expect(again.body.status).toBe('duplicate');
    const refused = await postback(app.url, { secret: 'pbs_wrong', clickid: click.click_id, type: 'Purchase' });
    expect(refused.status).toBeGreaterThanOrEqual(400);

    const text = await scrape();
    expect(sample(text, 'snaptrack_postbacks_total', { outcome: 'accepted' })).toBe(1);
    expect(sample(text, 'snaptrack_postbacks_total', { outcome: 'duplicate' })).toBe(1);
    const code = (refused.body as { error: string }).error;
    expect(sample(text, 'snaptrack_postbacks_total', { outcome: 'refused', reason: code })).toBe(1);
    expect(sample(text, 'snaptrack_http_request_duration_seconds_count', { route: '/postback', status: '200' })).toBe(
      2,
    );
    expect(text).not.toContain(click.click_id);
    expect(text).not.toContain(acc.secret);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('reports consumer lag, the config view revision, and the outbox depth and age', async () => {
    const text = await waitFor(
      async () => {
        const t = await scrape();
        return sample(t, 'snaptrack_config_view_revision')! > 0 ? t : undefined;
      },
      { what: 'a committed config view revision' },
    );
    const clicksGroup = `${app.config.kafkaTopicPrefix}${app.config.kafkaGroupId}.clicks`;
    expect(sample(text, 'snaptrack_kafka_consumer_lag', { group: clicksGroup, partition: '0' })).toBeGreaterThanOrEqual(
      0,
    );
    expect(sample(text, 'snaptrack_config_view_lag_messages')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'snaptrack_outbox_pending_rows')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'snaptrack_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);

    // A row waiting in the outbox shows up in both gauges.
    await app.relay.stop();
    try {
      await app.ds.query(`INSERT INTO outbox_message (topic, key, payload, created_at) VALUES ($1, 'k', '{}', $2)`, [
        `${app.config.kafkaTopicPrefix}unused`,
        new Date(Date.now() - 60_000),
      ]);
      // (the gauges read the database at most every 500 ms: wait for a fresh read)
      const after = await waitFor(async () => {
        const t = await scrape();
        return sample(t, 'snaptrack_outbox_oldest_age_seconds')! >= 59 ? t : undefined;
      });
      expect(sample(after, 'snaptrack_outbox_pending_rows')).toBeGreaterThanOrEqual(1);
    } finally {
      await app.ds.query(`DELETE FROM outbox_message WHERE key = 'k' AND sent_at IS NULL`);
      app.relay.start();
    }
  });

  it('continues a postback trace into the outbox and the conversion.created.v1 Kafka headers', async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const clickTrace = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const click = clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId });
    await bus.publishClick(click, { traceparent: `00-${clickTrace}-1111111111111111-01` });
    await waitFor(
      () => spans.getFinishedSpans().find((s) => s.spanContext().traceId === clickTrace && s.name.includes('clicks')),
      { what: 'the click view span in the click trace' },
    );
    const res = await rawRequest(app.url, {
      path: `/postback?${new URLSearchParams({ secret: acc.secret, clickid: click.click_id, type: 'Purchase' })}`,
      headers: { traceparent: `00-${traceId}-2222222222222222-01` },
    });
    expect(res.body.status).toBe('accepted');
    const msg = await waitFor(() => events.find((m) => m.key === res.body.conversion_id));
    expect(msg.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const server = spans.getFinishedSpans().find((s) => s.spanContext().traceId === traceId);
    expect(server?.name).toBe('GET /postback');
    expect(msg.headers.traceparent).toContain(server!.spanContext().spanId);
  });
});
