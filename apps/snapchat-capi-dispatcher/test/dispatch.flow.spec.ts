import { TOPICS } from '@snaptrack/contracts-events';
import { captureLogs, waitFor } from '@snaptrack/util-testing';
import {
  VECTORS,
  conversion,
  newPixel,
  offerEntity,
  offerSourceEntity,
  pixelEntity,
  pixelResaved,
  redeliverCommand,
  trafficChannelEntity,
} from './factories';
import { sandboxCounts, startHarness, type Harness } from './harness';

/**
 * Which pixels receive a conversion, and what Snapchat receives: real broker, fresh database, in-process sandbox
 * (strict pixels: only registered pixel/token pairs are accepted).
 */
describe('dispatch flow: conversions → Snapchat CAPI, once per pixel', () => {
  const acc = 'acc_dispatch';
  const channelPx = newPixel();
  const offerPxA = newPixel();
  const offerPxB = newPixel();
  const bothPx = newPixel();
  const unmappedPx = newPixel();
  const testPx = newPixel();
  const lduPx = newPixel();
  const mapping = { ct_lead: 'SIGN_UP', ct_sale: 'PURCHASE' };
  let h: Harness;
  let logs: ReturnType<typeof captureLogs>;
  let results: Awaited<ReturnType<Harness['collect']>>;

  beforeAll(async () => {
    logs = captureLogs();
    h = await startHarness({ config: { logLevel: 'debug' } });
    for (const p of [channelPx, offerPxA, offerPxB, bothPx, unmappedPx, testPx, lduPx])
      h.sandbox.registerPixel(p.pixelId, p.token);
    // Published before the dispatcher starts: it must catch up on the config view before consuming conversions.
    await h.publishConfig(
      trafficChannelEntity({ id: 'tc_snap', accountId: acc, template: 'snapchat' }),
      trafficChannelEntity({ id: 'tc_custom', accountId: acc, template: 'custom' }),
      offerSourceEntity({ id: 'os_1', accountId: acc, defaultCurrency: 'EUR' }),
      offerEntity({ id: 'of_1', accountId: acc }),
      offerEntity({ id: 'of_2', accountId: acc }),
      pixelEntity({
        accountId: acc,
        pixelId: channelPx.pixelId,
        token: channelPx.token,
        placement: { kind: 'channel', traffic_channel_id: 'tc_snap' },
        mapping,
      }),
      pixelEntity({
        accountId: acc,
        pixelId: offerPxA.pixelId,
        token: offerPxA.token,
        placement: { kind: 'offer', offer_id: 'of_2' },
        mapping,
      }),
      pixelEntity({
        accountId: acc,
        pixelId: offerPxB.pixelId,
        token: offerPxB.token,
        placement: { kind: 'offer', offer_id: 'of_2' },
        mapping,
      }),
      // The same pixel on both levels, forced into the data (config-service refuses it).
      pixelEntity({
        accountId: acc,
        pixelId: bothPx.pixelId,
        token: bothPx.token,
        placement: { kind: 'channel', traffic_channel_id: 'tc_both' },
        mapping,
      }),
      pixelEntity({
        accountId: acc,
        pixelId: bothPx.pixelId.toUpperCase(),
        token: bothPx.token,
        placement: { kind: 'offer', offer_id: 'of_both' },
        mapping,
      }),
      pixelEntity({
        accountId: acc,
        pixelId: unmappedPx.pixelId,
        token: unmappedPx.token,
        placement: { kind: 'offer', offer_id: 'of_unmapped' },
        mapping: {},
      }),
      pixelEntity({
        accountId: acc,
        pixelId: testPx.pixelId,
        token: testPx.token,
        placement: { kind: 'offer', offer_id: 'of_test' },
        mapping,
        testMode: true,
      }),
      pixelEntity({
        accountId: acc,
        pixelId: lduPx.pixelId,
        token: lduPx.token,
        placement: { kind: 'offer', offer_id: 'of_ldu' },
        mapping,
        limitedDataUse: true,
      }),
    );
    await h.start();
    results = await h.collect(TOPICS.deliveryResultV1);
  });

  afterAll(async () => {
    await h?.close();
    logs?.restore();
  });

  it('delivers a Snapchat-channel conversion to the channel pixel, and not a Custom-channel one', async () => {
    const snap = conversion({ accountId: acc, channelId: 'tc_snap', offerId: 'of_1' });
    const custom = conversion({ accountId: acc, channelId: 'tc_custom', channelTemplate: 'custom', offerId: 'of_1' });
    await h.publishConversions([snap, custom]);
    const rows = await h.waitForLedger('the channel pixel delivery', (r) =>
      r.some((x) => x.conversion_id === snap.conversion_id && x.status === 'delivered'),
    );
    await waitFor(
      async () => (await h.query(`SELECT 1 FROM conversion WHERE id = $1`, [custom.conversion_id])).length === 1,
      { what: 'custom conversion stored' },
    );
    expect(rows.filter((r) => r.conversion_id === custom.conversion_id)).toEqual([]);

    const at = sandboxCounts(h.sandbox, channelPx.pixelId);
    expect(at.events.map((e) => e.event_id)).toEqual([snap.event_id]);
    const sent = at.events[0]!.event;
    expect(sent).toEqual({
      event_name: 'SIGN_UP',
      event_time: Math.floor(Date.parse(snap.occurred_at) / 1000),
      event_id: snap.event_id,
      action_source: 'WEB',
      event_source_url: 'https://shop.example.com/landing?ScCid=7b3a7917&utm_source=snap',
      integration: 'snaptrack',
      user_data: {
        em: [VECTORS.email],
        client_ip_address: '203.0.113.7',
        client_user_agent: snap.click!.user_agent,
        sc_click_id: snap.click!.sc_click_id,
      },
      custom_data: { currency: 'USD', value: 12.5, order_id: snap.transaction_id },
    });
    const row = rows.find((r) => r.conversion_id === snap.conversion_id)!;
    expect(row).toMatchObject({
      pixel_id: channelPx.pixelId,
      status: 'delivered',
      attempts: 1,
      event_id: snap.event_id,
      event_name: 'SIGN_UP',
      http_status: 200,
      placements: ['channel'],
      message: null,
    });
  });

  it("delivers every channel's conversions to both pixels of an offer", async () => {
    const fromSnap = conversion({ accountId: acc, channelId: 'tc_snap', offerId: 'of_2' });
    const fromCustom = conversion({
      accountId: acc,
      channelId: 'tc_custom',
      channelTemplate: 'custom',
      offerId: 'of_2',
    });
    await h.publishConversions([fromSnap, fromCustom]);
    await h.waitForLedger(
      'offer pixel deliveries',
      (r) =>
        r.filter(
          (x) =>
            [fromSnap.conversion_id, fromCustom.conversion_id].includes(x.conversion_id) && x.status === 'delivered',
        ).length === 5,
    );
    for (const px of [offerPxA, offerPxB]) {
      expect(
        sandboxCounts(h.sandbox, px.pixelId)
          .events.map((e) => e.event_id)
          .sort(),
      ).toEqual([fromSnap.event_id, fromCustom.event_id].sort());
    }
    // The Snapchat-channel one also reached the channel pixel; the Custom one did not.
    expect(sandboxCounts(h.sandbox, channelPx.pixelId).events.map((e) => e.event_id)).toContain(fromSnap.event_id);
    expect(sandboxCounts(h.sandbox, channelPx.pixelId).events.map((e) => e.event_id)).not.toContain(
      fromCustom.event_id,
    );
  });

  it(
    'sends one event when the same pixel sits on both the channel and the offer, and records both ' + 'placements',
    async () => {
      const c = conversion({ accountId: acc, channelId: 'tc_both', offerId: 'of_both' });
      await h.publishConversions([c]);
      const rows = await h.waitForLedger('the both-levels delivery', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
      );
      const mine = rows.filter((r) => r.conversion_id === c.conversion_id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ pixel_id: bothPx.pixelId, placements: ['channel', 'offer'] });
      expect(mine[0]!.message).toMatch(
        /both the traffic channel and the offer; Snapchat received this conversion once/,
      );
      const at = sandboxCounts(h.sandbox, bothPx.pixelId);
      expect(at.accepted).toBe(1);
      expect(h.sandbox.store.stats().pixels[bothPx.pixelId]!.requests.total).toBe(1);
    },
  );

  it('skips an unmapped conversion type with the reason and sends nothing', async () => {
    const c = conversion({
      accountId: acc,
      channelId: 'tc_custom',
      offerId: 'of_unmapped',
      typeId: 'ct_lead',
      type: 'lead',
    });
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('the skipped delivery', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id),
    );
    expect(rows.find((r) => r.conversion_id === c.conversion_id)).toMatchObject({
      status: 'skipped',
      reason_code: 'no_mapping',
      attempts: 0,
    });
    expect(rows.find((r) => r.conversion_id === c.conversion_id)!.message).toMatch(
      /Conversion type "lead" is not mapped to a Snapchat event on pixel/,
    );
    expect(h.sandbox.store.stats().pixels[unmappedPx.pixelId]).toBeUndefined();
  });

  it("sends a test-mode pixel's events to the validate endpoint, which records nothing", async () => {
    const c = conversion({ accountId: acc, channelId: 'tc_custom', offerId: 'of_test' });
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('the test-mode delivery', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    expect(rows.find((r) => r.conversion_id === c.conversion_id)).toMatchObject({ test_mode: true });
    expect(sandboxCounts(h.sandbox, testPx.pixelId).accepted).toBe(0);
    const stats = h.sandbox.store.stats().pixels[testPx.pixelId]!;
    expect(stats.test_events).toBe(1);
    expect(stats.requests.validated).toBe(1);
  });

  it('sends data_processing_options ["LDU"] only for a pixel with Limited Data Use on', async () => {
    const c = conversion({ accountId: acc, channelId: 'tc_snap', offerId: 'of_ldu' });
    await h.publishConversions([c]);
    await h.waitForLedger(
      'LDU and channel deliveries',
      (r) => r.filter((x) => x.conversion_id === c.conversion_id && x.status === 'delivered').length === 2,
    );
    expect(sandboxCounts(h.sandbox, lduPx.pixelId).events[0]!.event['data_processing_options']).toEqual(['LDU']);
    const plain = sandboxCounts(h.sandbox, channelPx.pixelId).events.find((e) => e.event_id === c.event_id)!;
    expect(plain.event).not.toHaveProperty('data_processing_options');
  });

  it(
    'fails events Snapchat would refuse without sending them: too old, PURCHASE without value, no ' + 'identifiers',
    async () => {
      const old = conversion({
        accountId: acc,
        channelId: 'tc_snap',
        offerId: 'of_1',
        occurredAt: new Date(Date.now() - 38 * 86400_000),
      });
      const noValue = conversion({
        accountId: acc,
        channelId: 'tc_snap',
        offerId: 'of_1',
        typeId: 'ct_sale',
        type: 'sale',
        payout: null,
      });
      const noIds = conversion({ accountId: acc, channelId: 'tc_snap', offerId: 'of_1', userData: {}, ip: null });
      const before = h.sandbox.store.stats().pixels[channelPx.pixelId]!.requests.total;
      await h.publishConversions([old, noValue, noIds]);
      const rows = await h.waitForLedger(
        'the refused deliveries',
        (r) =>
          r.filter(
            (x) => [old, noValue, noIds].some((c) => c.conversion_id === x.conversion_id) && x.status === 'failed',
          ).length === 3,
      );
      const by = (id: string) => rows.find((r) => r.conversion_id === id)!;
      expect(by(old.conversion_id)).toMatchObject({ reason_code: 'too_old', http_status: null });
      expect(by(noValue.conversion_id)).toMatchObject({ reason_code: 'missing_value', event_name: 'PURCHASE' });
      expect(by(noIds.conversion_id)).toMatchObject({ reason_code: 'insufficient_identifiers' });
      expect(by(noIds.conversion_id).message).toMatch(
        /email, a phone number, or both the IP address and the user agent/,
      );
      expect(h.sandbox.store.stats().pixels[channelPx.pixelId]!.requests.total).toBe(before);
    },
  );

  it('uses the offer source default currency and the offer URL when the conversion lacks them', async () => {
    const c = conversion({
      accountId: acc,
      channelId: 'tc_snap',
      offerId: 'of_1',
      typeId: 'ct_sale',
      type: 'sale',
      currency: null,
      payout: 30,
      landingUrl: null,
    });
    await h.publishConversions([c]);
    await h.waitForLedger('the purchase delivery', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    const sent = sandboxCounts(h.sandbox, channelPx.pixelId).events.find((e) => e.event_id === c.event_id)!.event;
    expect(sent['event_name']).toBe('PURCHASE');
    expect(sent['custom_data']).toEqual({ currency: 'EUR', value: 30, order_id: c.transaction_id });
    expect(sent['event_source_url']).toBe('https://shop.example.com/offer');
  });

  it(
    'event_id decided per pixel: a PURCHASE with a transaction id and a derived id gets the ' +
      'transaction id; explicit ids stay verbatim',
    async () => {
      const purchasePx = newPixel();
      const customPx = newPixel();
      for (const p of [purchasePx, customPx]) h.sandbox.registerPixel(p.pixelId, p.token);
      await h.applyConfig(
        pixelEntity({
          accountId: acc,
          pixelId: purchasePx.pixelId,
          token: purchasePx.token,
          placement: { kind: 'offer', offer_id: 'of_eid' },
          mapping: { ct_sale: 'PURCHASE' },
        }),
        pixelEntity({
          accountId: acc,
          pixelId: customPx.pixelId,
          token: customPx.token,
          placement: { kind: 'offer', offer_id: 'of_eid' },
          mapping: { ct_sale: 'CUSTOM_EVENT_1' },
        }),
      );
      const sale = {
        accountId: acc,
        channelId: 'tc_custom',
        channelTemplate: 'custom',
        offerId: 'of_eid',
        typeId: 'ct_sale',
        type: 'sale',
        postbackClickId: 'clk-eid',
      };
      const derived = conversion({ ...sale, transactionId: 'ORD-1001', derivedEventId: true, explicitEventId: false });
      const explicit = conversion({
        ...sale,
        transactionId: 'ORD-1002',
        eventId: 'client-dedup-1002',
        explicitEventId: true,
      });
      // conversion-service does not set explicit_event_id yet: the derived hash is recognised from the conversion
      // itself.
      const inferred = conversion({ ...sale, transactionId: 'ORD-1003', derivedEventId: true });
      const unknown = conversion({ ...sale, transactionId: 'ORD-1004', eventId: 'from-the-postback-1004' });
      const noTx = conversion({ ...sale, transactionId: null, derivedEventId: true, explicitEventId: false });
      const all = [derived, explicit, inferred, unknown, noTx];
      await h.publishConversions(all);
      const ids = all.map((c) => c.conversion_id);
      const rows = await h.waitForLedger(
        'the event id deliveries',
        (r) => r.filter((x) => ids.includes(x.conversion_id) && x.status === 'delivered').length === 10,
      );
      const sentTo = (px: { pixelId: string }, c: { event_id: string; transaction_id: string | null }) =>
        sandboxCounts(h.sandbox, px.pixelId)
          .events.filter(
            (e) =>
              (e.event['custom_data'] as { order_id?: string } | undefined)?.order_id ===
                (c.transaction_id ?? undefined) &&
              (c.transaction_id !== null || e.event_id === c.event_id),
          )
          .map((e) => e.event_id);
      expect(sentTo(purchasePx, derived)).toEqual(['ORD-1001']);
      expect(sentTo(customPx, derived)).toEqual([derived.event_id]);
      expect(sentTo(purchasePx, explicit)).toEqual(['client-dedup-1002']);
      expect(sentTo(customPx, explicit)).toEqual(['client-dedup-1002']);
      expect(sentTo(purchasePx, inferred)).toEqual(['ORD-1003']);
      expect(sentTo(purchasePx, unknown)).toEqual(['from-the-postback-1004']);
      expect(sentTo(purchasePx, noTx)).toEqual([noTx.event_id]);
      // The ledger (and so delivery.result.v1) shows the id that was sent.
      const row = (c: { conversion_id: string }, px: { pixelId: string }) =>
        rows.find((r) => r.conversion_id === c.conversion_id && r.pixel_id === px.pixelId)!;
      expect(row(derived, purchasePx).event_id).toBe('ORD-1001');
      expect(row(derived, customPx).event_id).toBe(derived.event_id);
      await waitFor(
        () =>
          results.messages.some(
            (m) =>
              m.key === derived.conversion_id &&
              (m.value as { status: string; event_id: string }).status === 'delivered' &&
              (m.value as { event_id: string }).event_id === 'ORD-1001',
          ),
        { what: 'the delivered result with the transaction id as event_id' },
      );
    },
  );

  it(
    'the event_id fixed at the first attempt is kept by every later attempt, even after the mapping ' + 'changes',
    async () => {
      const px = newPixel();
      h.sandbox.registerPixel(px.pixelId, px.token);
      const placement = { kind: 'offer' as const, offer_id: 'of_eid_fixed' };
      // A wrong token first: the attempt fails (401) after the event_id was decided as PURCHASE → transaction id.
      const spec = {
        accountId: acc,
        pixelId: px.pixelId,
        token: 'tok_wrong_eid',
        placement,
        mapping: { ct_sale: 'PURCHASE' },
      };
      const first = pixelEntity(spec);
      await h.applyConfig(first);
      const c = conversion({
        accountId: acc,
        channelId: 'tc_custom',
        channelTemplate: 'custom',
        offerId: 'of_eid_fixed',
        typeId: 'ct_sale',
        type: 'sale',
        transactionId: 'ORD-2001',
        derivedEventId: true,
        explicitEventId: false,
      });
      await h.publishConversions([c]);
      await h.waitForLedger('the 401 failure', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'failed'),
      );
      expect((await h.ledger('conversion_id = $1', [c.conversion_id]))[0]).toMatchObject({
        event_id: 'ORD-2001',
        reason_code: 'invalid_authentication',
      });
      // The user fixes the token and maps the type to another event, then re-delivers: the id stays the one decided
      // first.
      await h.applyConfig(pixelResaved(first, spec, { token: px.token, mapping: { ct_sale: 'CUSTOM_EVENT_2' } }));
      await h.publishCommand(redeliverCommand({ accountId: acc, conversionIds: [c.conversion_id] }));
      await h.waitForLedger('the re-delivery', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
      );
      expect((await h.ledger('conversion_id = $1', [c.conversion_id]))[0]).toMatchObject({
        event_id: 'ORD-2001',
        event_name: 'CUSTOM_EVENT_2',
      });
      expect(sandboxCounts(h.sandbox, px.pixelId).events.map((e) => e.event_id)).toEqual(['ORD-2001']);
    },
  );

  it('creates no delivery for an unattributed conversion', async () => {
    const c = conversion({ accountId: acc, status: 'unattributed' });
    const marker = conversion({ accountId: acc, channelId: 'tc_snap', offerId: 'of_1' });
    await h.publishConversions([c, marker]);
    await h.waitForLedger('the marker delivery', (r) =>
      r.some((x) => x.conversion_id === marker.conversion_id && x.status === 'delivered'),
    );
    await waitFor(
      async () => (await h.query(`SELECT 1 FROM conversion WHERE id = $1`, [c.conversion_id])).length === 1,
      { what: 'unattributed conversion stored' },
    );
    expect(await h.ledger('conversion_id = $1', [c.conversion_id])).toEqual([]);
  });

  it('publishes every outcome on delivery.result.v1 with a growing revision', async () => {
    const c = conversion({ accountId: acc, channelId: 'tc_snap', offerId: 'of_1' });
    await h.publishConversions([c]);
    await waitFor(
      () =>
        results.messages.some(
          (m) => m.key === c.conversion_id && (m.value as { status: string }).status === 'delivered',
        ),
      { what: 'delivered result', timeoutMs: 30000 },
    );
    const mine = results.messages
      .filter((m) => m.key === c.conversion_id)
      .map((m) => m.value as Record<string, unknown>);
    expect(mine.map((m) => [m['status'], m['revision']])).toEqual([
      ['pending', 1],
      ['delivered', 2],
    ]);
    expect(mine[1]).toMatchObject({
      schema: 'delivery.result.v1',
      destination: 'snapchat-capi',
      account_id: acc,
      pixel_id: channelPx.pixelId,
      attempts: 1,
      http_status: 200,
      event_name: 'SIGN_UP',
      event_id: c.event_id,
      test_mode: false,
      placements: ['channel'],
      next_attempt_at: null,
    });
    expect(typeof mine[1]!['delivered_at']).toBe('string');
  });

  it('never writes a token, a token-bearing URL or raw identifiers into a log line', async () => {
    await h.stopApp(); // flush the stop lines too
    const text = logs.lines.join('\n');
    for (const p of [channelPx, offerPxA, offerPxB, bothPx, unmappedPx, testPx, lduPx])
      expect(text).not.toContain(p.token);
    expect(text).not.toMatch(/access_token=(?!\[redacted\])/);
    expect(text).not.toContain('/events?');
    expect(logs.lines.some((l) => l.includes('"msg":"snap request"'))).toBe(true);
    await h.start();
  });
});
