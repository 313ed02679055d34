import { TOPICS } from '@snaptrack/contracts-events';
import { waitFor } from '@snaptrack/util-testing';
import { conversion, newPixel, pixelEntity, redeliverCommand } from './factories';
import { sandboxCounts, startHarness, type Harness } from './harness';

/**
 * Failure handling against the sandbox's fault injection: retries with backoff (kept in the database), 429 pauses,
 * batch bisection on 400, configuration errors (bad token, unknown pixel), the retry horizon, and isolation between
 * pixels. Each test uses its own pixels, so they do not disturb each other.
 */
describe('dispatch flow: Snapchat failures', () => {
  const acc = 'acc_faults';
  const mapping = { ct_lead: 'SIGN_UP' };
  let h: Harness;
  let results: Awaited<ReturnType<Harness['collect']>>;

  /** A pixel placed alone on its own offer, registered at the sandbox. */
  async function pixelOnOwnOffer(opts: { register?: boolean; token?: string } = {}) {
    const p = newPixel();
    const offerId = `of_${p.pixelId.slice(0, 8)}`;
    if (opts.register !== false) h.sandbox.registerPixel(p.pixelId, p.token);
    const entity = pixelEntity({
      accountId: acc,
      pixelId: p.pixelId,
      token: opts.token ?? p.token,
      placement: { kind: 'offer', offer_id: offerId },
      mapping,
    });
    await h.applyConfig(entity);
    return { ...p, offerId, entity };
  }
  const conv = (offerId: string, over: Parameters<typeof conversion>[0] | object = {}) =>
    conversion({ accountId: acc, channelId: 'tc_custom', offerId, ...over });

  beforeAll(async () => {
    h = await startHarness({ config: { retryBaseMs: 300, retryMaxDelayMs: 1000, rateLimitPerToken: 0 } });
    await h.start();
    results = await h.collect(TOPICS.deliveryResultV1);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('500 twice, then success: delivered once, after three attempts', async () => {
    const p = await pixelOnOwnOffer();
    h.sandbox.addFault({ pixel_id: p.pixelId, status: 500, count: 2 });
    const c = conv(p.offerId);
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('delivery after 500s', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    expect(rows.find((r) => r.conversion_id === c.conversion_id)).toMatchObject({
      attempts: 3,
      http_status: 200,
      reason_code: null,
    });
    expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, distinct: 1, duplicates: 0 });
    expect(h.sandbox.store.stats().pixels[p.pixelId]!.requests).toMatchObject({ total: 3, faulted: 2, accepted: 1 });
    await waitFor(() => results.messages.filter((m) => m.key === c.conversion_id).length >= 4, { what: 'results' });
    const seen = results.messages
      .filter((m) => m.key === c.conversion_id)
      .map((m) => m.value as { status: string; http_status: number | null });
    expect(seen.map((s) => s.status)).toEqual(['pending', 'retrying', 'retrying', 'delivered']);
    expect(seen[1]!.http_status).toBe(500);
  });

  it('429 with Retry-After, then success: the token is paused, then delivered once', async () => {
    const p = await pixelOnOwnOffer();
    h.sandbox.addFault({ pixel_id: p.pixelId, status: 429, retry_after_s: 1 });
    const c = conv(p.offerId);
    const started = Date.now();
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('delivery after 429', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(rows.find((r) => r.conversion_id === c.conversion_id)).toMatchObject({ attempts: 2 });
    expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
    const retrying = results.messages.find(
      (m) => m.key === c.conversion_id && (m.value as { status: string }).status === 'retrying',
    )!.value as Record<string, unknown>;
    expect(retrying).toMatchObject({ reason_code: 'rate_limited', http_status: 429 });
    const paused = await h.query<{ n: number }>(`SELECT count(*)::int AS n FROM token_pause`);
    expect(paused[0]!.n).toBe(1);
  });

  it('429 without Retry-After (backoff) and with an HTTP-date Retry-After: delivered once each', async () => {
    const p = await pixelOnOwnOffer();
    h.sandbox.addFault({ pixel_id: p.pixelId, status: 429 });
    const a = conv(p.offerId);
    await h.publishConversions([a]);
    await h.waitForLedger('delivery after a bare 429', (r) =>
      r.some((x) => x.conversion_id === a.conversion_id && x.status === 'delivered'),
    );
    const q = await pixelOnOwnOffer();
    h.sandbox.addFault({
      pixel_id: q.pixelId,
      status: 429,
      headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() },
    });
    const b = conv(q.offerId);
    const started = Date.now();
    await h.publishConversions([b]);
    await h.waitForLedger('delivery after a dated 429', (r) =>
      r.some((x) => x.conversion_id === b.conversion_id && x.status === 'delivered'),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(sandboxCounts(h.sandbox, q.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(
      (await h.ledger('conversion_id = ANY($1)', [[a.conversion_id, b.conversion_id]])).map((r) => r.attempts),
    ).toEqual([2, 2]);
  });

  it('501 and a redirect are retried (never followed), then delivered once', async () => {
    const p = await pixelOnOwnOffer();
    h.sandbox.addFault({ pixel_id: p.pixelId, status: 501 });
    h.sandbox.addFault({
      pixel_id: p.pixelId,
      status: 302,
      headers: { location: 'http://127.0.0.1:9/nowhere' },
      raw_body: '',
    });
    const c = conv(p.offerId);
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('delivery after 501 and 302', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    expect(rows.find((r) => r.conversion_id === c.conversion_id)).toMatchObject({ attempts: 3, http_status: 200 });
    expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('a 200 whose body is not JSON is a delivery', async () => {
    const p = await pixelOnOwnOffer();
    h.sandbox.addFault({ pixel_id: p.pixelId, status: 200, raw_body: 'OK', after_processing: true });
    const c = conv(p.offerId);
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('delivery with a text answer', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    expect(rows.find((r) => r.conversion_id === c.conversion_id)).toMatchObject({ attempts: 1 });
    expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('an answer slower than the timeout: resent with the same event_id and event_time, delivered', async () => {
    const p = await pixelOnOwnOffer();
    // The first request is processed only after 3.5 s, beyond the 3 s timeout.
    h.sandbox.addFault({ pixel_id: p.pixelId, delay_ms: 3500 });
    const c = conv(p.offerId);
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('delivery after a timeout', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    expect(rows.find((r) => r.conversion_id === c.conversion_id)!.attempts).toBe(2);
    await waitFor(() => sandboxCounts(h.sandbox, p.pixelId).accepted === 2, {
      what: 'the slow first request to land as well',
    });
    const at = sandboxCounts(h.sandbox, p.pixelId);
    expect(at.distinct).toBe(1);
    expect(new Set(at.events.map((e) => JSON.stringify(e.event))).size).toBe(1);
  });

  it("an event that reaches Snap's age limit while retrying fails as too_old and is not sent", async () => {
    const p = await pixelOnOwnOffer();
    h.sandbox.addFault({ pixel_id: p.pixelId, status: 503 });
    // 37 days minus 30 s old: valid for the first attempt, too old for any retry that would still arrive in time.
    const c = conv(p.offerId, { occurredAt: new Date(Date.now() - 37 * 86400_000 + 30_000) });
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('the too_old failure', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'failed'),
    );
    expect(rows.find((r) => r.conversion_id === c.conversion_id)).toMatchObject({
      reason_code: 'too_old',
      http_status: 503,
      attempts: 1,
    });
    expect(sandboxCounts(h.sandbox, p.pixelId).accepted).toBe(0);
    expect(h.sandbox.store.stats().pixels[p.pixelId]!.requests).toMatchObject({ total: 1, faulted: 1 });
  });

  it('a lost answer (the request landed, the connection dropped) is resent with the same event_id', async () => {
    const p = await pixelOnOwnOffer();
    h.sandbox.addFault({ pixel_id: p.pixelId, drop_connection: true, after_processing: true });
    const c = conv(p.offerId);
    await h.publishConversions([c]);
    await h.waitForLedger('delivery after a lost answer', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
    );
    const at = sandboxCounts(h.sandbox, p.pixelId);
    // Snap deduplicates by event_id; the sandbox counts the identical resend.
    expect(at).toMatchObject({ accepted: 2, distinct: 1 });
    expect(new Set(at.events.map((e) => JSON.stringify(e.event))).size).toBe(1);
  });

  it("one bad event in a batch of 100: 99 delivered, 1 failed with Snapchat's message", async () => {
    // The sandbox here accepts events up to 1 day old, while we allow 37 days
    // (docs/snap-capi.md "Event time"): only Snapchat knows it is bad.
    await h.stopApp();
    const strictAge = await startHarness({
      sandbox: { limits: { maxAgeSeconds: 86400 } },
      config: { lingerMs: 1500, senderPollMs: 5000 },
    });
    try {
      const p = newPixel();
      strictAge.sandbox.registerPixel(p.pixelId, p.token);
      await strictAge.publishConfig(
        pixelEntity({
          accountId: acc,
          pixelId: p.pixelId,
          token: p.token,
          placement: { kind: 'offer', offer_id: 'of_batch' },
          mapping,
        }),
      );
      const convs = Array.from({ length: 100 }, (_, i) =>
        conversion({
          accountId: acc,
          channelId: 'tc_custom',
          offerId: 'of_batch',
          occurredAt: i === 37 ? new Date(Date.now() - 2 * 86400_000) : undefined,
        }),
      );
      await strictAge.publishConversions(convs);
      await strictAge.start();
      const rows = await strictAge.waitForLedger(
        'the batch outcome',
        (r) => r.length === 100 && r.every((x) => x.status === 'delivered' || x.status === 'failed'),
        60000,
      );
      const failed = rows.filter((r) => r.status === 'failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        conversion_id: convs[37]!.conversion_id,
        reason_code: 'snap_rejected',
        http_status: 400,
      });
      expect(failed[0]!.message).toMatch(/event_time is out of range: the event is more than 1 days old/);
      expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(99);
      const at = sandboxCounts(strictAge.sandbox, p.pixelId);
      expect(at).toMatchObject({ accepted: 99, distinct: 99, duplicates: 0 });
      const stats = strictAge.sandbox.store.stats().pixels[p.pixelId]!.requests;
      // Snapchat refused at least one multi-event batch, and the 99 good events still travelled in batches.
      expect(stats.rejected).toBeGreaterThanOrEqual(2);
      expect(stats.accepted).toBeLessThanOrEqual(5);
      // A backlog of 100 (less than a full claim) travels in requests of at most 50 events, not one of 100.
      const perRequest = new Map<string, number>();
      for (const e of at.events) perRequest.set(e.request_id, (perRequest.get(e.request_id) ?? 0) + 1);
      expect(Math.max(...perRequest.values())).toBeLessThanOrEqual(50);
    } finally {
      await strictAge.close();
      await h.start();
    }
  });

  it(
    'a 200 that refuses one event of the batch: that event fails with the reason, the others are ' + 'delivered once',
    async () => {
      const p = await pixelOnOwnOffer();
      const convs = [conv(p.offerId), conv(p.offerId), conv(p.offerId)];
      h.sandbox.addFault({ pixel_id: p.pixelId, refuse_event_ids: [convs[1]!.event_id] });
      // All three wait in the ledger, so one request carries them.
      await h.app!.sender.stop();
      try {
        await h.publishConversions(convs);
        await h.waitForLedger(
          'three pending rows',
          (r) => convs.every((c) => r.some((x) => x.conversion_id === c.conversion_id && x.status === 'pending')),
          20000,
        );
      } finally {
        h.app!.sender.start();
      }
      const ids = convs.map((c) => c.conversion_id);
      const rows = await h.waitForLedger(
        'the per-event outcome',
        (r) =>
          r.filter((x) => ids.includes(x.conversion_id) && ['delivered', 'failed'].includes(x.status)).length === 3,
      );
      const byId = new Map(rows.map((r) => [r.conversion_id, r]));
      expect(byId.get(ids[1]!)).toMatchObject({ status: 'failed', reason_code: 'snap_rejected', http_status: 200 });
      expect(byId.get(ids[1]!)!.message).toMatch(/refused/);
      for (const id of [ids[0]!, ids[2]!]) {
        expect(byId.get(id)).toMatchObject({ status: 'delivered', http_status: 200, attempts: 1 });
      }
      // Nothing was resent: one request, the two accepted events once each, the refused one never stored.
      expect(h.sandbox.store.stats().pixels[p.pixelId.toLowerCase()]!.requests.total).toBe(1);
      const at = sandboxCounts(h.sandbox, p.pixelId);
      expect(at).toMatchObject({ accepted: 2, duplicates: 0 });
      expect(at.events.map((e) => e.event_id).sort()).toEqual([convs[0]!.event_id, convs[2]!.event_id].sort());
    },
  );

  it(
    'a bad token fails all waiting deliveries of the pixel with what to fix; a re-deliver after the ' +
      'fix sends them',
    async () => {
      const p = await pixelOnOwnOffer({ token: 'tok_wrong_0123456789' });
      const convs = [conv(p.offerId), conv(p.offerId), conv(p.offerId)];
      await h.publishConversions(convs);
      const ids = convs.map((c) => c.conversion_id);
      const rows = await h.waitForLedger(
        'auth failures',
        (r) => r.filter((x) => ids.includes(x.conversion_id) && x.status === 'failed').length === 3,
      );
      for (const r of rows.filter((x) => ids.includes(x.conversion_id))) {
        expect(r).toMatchObject({ reason_code: 'invalid_authentication', http_status: 401 });
        expect(r.message).toContain(
          `Snapchat rejected the access token for pixel ${p.pixelId}: generate a new Conversions API token ` +
            `in Business Manager and save it on the pixel`,
        );
        expect(r.message).not.toContain('tok_wrong_0123456789');
      }
      expect(sandboxCounts(h.sandbox, p.pixelId).accepted).toBe(0);

      // The user saves the right token (a new entity version), then conversion-service asks for a re-delivery.
      await h.applyConfig(
        pixelEntity({
          id: p.entity.id,
          accountId: acc,
          pixelId: p.pixelId,
          token: p.token,
          placement: { kind: 'offer', offer_id: p.offerId },
          mapping,
          version: p.entity.version + 1000,
        }),
      );
      const cmd = redeliverCommand({ accountId: acc, conversionIds: ids });
      await h.publishCommand(cmd);
      const after = await h.waitForLedger(
        're-delivery',
        (r) => r.filter((x) => ids.includes(x.conversion_id) && x.status === 'delivered').length === 3,
      );
      for (const r of after.filter((x) => ids.includes(x.conversion_id)))
        expect(r).toMatchObject({ command_id: cmd.command_id, attempts: 1, reason_code: null });
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 3, duplicates: 0 });
    },
  );

  describe('one pixel on two placements with different tokens: a credential problem stays with its token', () => {
    async function twoCredentials() {
      const p = newPixel();
      h.sandbox.registerPixel(p.pixelId, p.token);
      const badOffer = `of_bad_${p.pixelId.slice(0, 8)}`;
      const goodOffer = `of_good_${p.pixelId.slice(0, 8)}`;
      await h.applyConfig(
        pixelEntity({
          accountId: acc,
          pixelId: p.pixelId,
          token: `tok_wrong_${p.pixelId.slice(0, 8)}`,
          placement: { kind: 'offer', offer_id: badOffer },
          mapping,
        }),
        pixelEntity({
          accountId: acc,
          pixelId: p.pixelId,
          token: p.token,
          placement: { kind: 'offer', offer_id: goodOffer },
          mapping,
        }),
      );
      return { ...p, badOffer, goodOffer };
    }

    /**
     * The bad-token request is held at the sandbox (2.5 s, under the 3 s request timeout) while the good-token
     * conversions arrive and wait: the pixel's worker is busy until the answer is handled.
     */
    async function whileInFlight(p: { pixelId: string; badOffer: string; goodOffer: string }) {
      const bad = [conv(p.badOffer), conv(p.badOffer)];
      await h.publishConversions(bad);
      await waitFor(() => h.sandbox.faults.list().length === 0, { what: 'the request at the sandbox', intervalMs: 10 });
      const good = [conv(p.goodOffer), conv(p.goodOffer)];
      await h.publishConversions(good);
      await h.waitForLedger(
        'the good-token rows waiting',
        (r) => good.every((c) => r.some((x) => x.conversion_id === c.conversion_id && x.status === 'pending')),
        2000,
      );
      return { bad: bad.map((c) => c.conversion_id), good: good.map((c) => c.conversion_id) };
    }

    it('401 fails the waiting deliveries of that token only; the other placement still delivers', async () => {
      const p = await twoCredentials();
      h.sandbox.addFault({ pixel_id: p.pixelId, delay_ms: 2500 });
      const ids = await whileInFlight(p);
      const rows = await h.waitForLedger(
        'both outcomes',
        (r) =>
          r.filter((x) => ids.bad.includes(x.conversion_id) && x.status === 'failed').length === 2 &&
          r.filter((x) => ids.good.includes(x.conversion_id) && x.status === 'delivered').length === 2,
      );
      for (const r of rows.filter((x) => ids.bad.includes(x.conversion_id)))
        expect(r).toMatchObject({ reason_code: 'invalid_authentication', http_status: 401 });
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 2, duplicates: 0 });
    });

    it("429 defers the waiting deliveries of that token only; the other token's are sent at once", async () => {
      const p = await twoCredentials();
      h.sandbox.addFault({ pixel_id: p.pixelId, delay_ms: 2500, status: 429, retry_after_s: 120 });
      const ids = await whileInFlight(p);
      const rows = await h.waitForLedger(
        'the other token delivered long before the pause ends',
        (r) => r.filter((x) => ids.good.includes(x.conversion_id) && x.status === 'delivered').length === 2,
        15000,
      );
      for (const r of rows.filter((x) => ids.bad.includes(x.conversion_id)))
        expect(r).toMatchObject({ status: 'retrying', reason_code: 'rate_limited', http_status: 429 });
    });
  });

  it('an unknown pixel fails with a message that tells the user to check the Pixel ID', async () => {
    const p = await pixelOnOwnOffer({ register: false });
    const c = conv(p.offerId);
    await h.publishConversions([c]);
    const rows = await h.waitForLedger('pixel_not_found', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.status === 'failed'),
    );
    const row = rows.find((r) => r.conversion_id === c.conversion_id)!;
    expect(row).toMatchObject({ reason_code: 'pixel_not_found', http_status: 404 });
    expect(row.message).toMatch(/Snapchat does not know pixel .*: check the Pixel ID in Snap Ads Manager/);
  });

  it('gives up after the retry horizon and says so', async () => {
    await h.stopApp();
    await h.start({ retryHorizonMs: 1500, retryBaseMs: 200, retryMaxDelayMs: 400 });
    try {
      const p = await pixelOnOwnOffer();
      h.sandbox.addFault({ pixel_id: p.pixelId, status: 503, count: 1000 });
      const c = conv(p.offerId);
      await h.publishConversions([c]);
      const rows = await h.waitForLedger('horizon failure', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'failed'),
      );
      const row = rows.find((r) => r.conversion_id === c.conversion_id)!;
      expect(row).toMatchObject({ reason_code: 'upstream_unavailable', http_status: 503 });
      expect(row.attempts).toBeGreaterThanOrEqual(3);
      expect(row.message).toMatch(/Snapchat did not accept the event within \d+ minutes .*Re-deliver to try again/);
      expect(sandboxCounts(h.sandbox, p.pixelId).accepted).toBe(0);
      h.sandbox.clearFaults();
    } finally {
      await h.stopApp();
      await h.start();
    }
  });

  it('a slow pixel does not hold up another pixel', async () => {
    const slow = await pixelOnOwnOffer();
    const fast = await pixelOnOwnOffer();
    h.sandbox.addFault({ pixel_id: slow.pixelId, delay_ms: 6000, count: 5 });
    const s = conv(slow.offerId);
    await h.publishConversions([s]);
    await waitFor(async () => (await h.ledger('conversion_id = $1', [s.conversion_id]))[0]?.status === 'sending', {
      what: 'slow request in flight',
    });
    const f = conv(fast.offerId);
    await h.publishConversions([f]);
    await h.waitForLedger(
      'fast pixel delivery',
      (r) => r.some((x) => x.conversion_id === f.conversion_id && x.status === 'delivered'),
      10000,
    );
    const slowRow = (await h.ledger('conversion_id = $1', [s.conversion_id]))[0]!;
    expect(slowRow.status).not.toBe('delivered');
    h.sandbox.clearFaults();
  });
});
