import { TOPICS, topicName } from '@snaptrack/contracts-events';
import { waitFor } from '@snaptrack/util-testing';
import { startDispatcher } from '../src/dispatcher';
import { backfillCommand, conversion, newPixel, pixelEntity, pixelResaved, redeliverCommand } from './factories';
import { sandboxCounts, startHarness, type Harness } from './harness';

/** delivery.command.v1 (redeliver, backfill), dead letters, and a second instance in the same consumer group. */
describe('dispatch flow: commands, dead letters, two instances', () => {
  const acc = 'acc_commands';
  const mapping = { ct_lead: 'SIGN_UP' };
  let h: Harness;

  beforeAll(async () => {
    // These tests add pixels after the conversions exist and deliver them by command; with no clock-skew margin, the
    // re-targeting of a new placement (config-race.flow.spec.ts) does not reach conversions received before it.
    h = await startHarness({ config: { retargetClockSkewMs: 0 } });
    await h.start();
  });
  afterAll(async () => {
    await h?.close();
  });

  it(
    'redeliver recomputes the targets: a newly added pixel gets the conversion, a delivered pixel is ' +
      'not sent again',
    async () => {
      const first = newPixel();
      const added = newPixel();
      for (const p of [first, added]) h.sandbox.registerPixel(p.pixelId, p.token);
      await h.applyConfig(
        pixelEntity({
          accountId: acc,
          pixelId: first.pixelId,
          token: first.token,
          placement: { kind: 'offer', offer_id: 'of_redeliver' },
          mapping,
        }),
      );
      const c = conversion({ accountId: acc, offerId: 'of_redeliver' });
      await h.publishConversions([c]);
      await h.waitForLedger('first delivery', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
      );

      const addedEntity = pixelEntity({
        accountId: acc,
        pixelId: added.pixelId,
        token: added.token,
        placement: { kind: 'channel', traffic_channel_id: 'tc_snap' },
        mapping,
      });
      await h.applyConfig(addedEntity);
      const cmd = redeliverCommand({ accountId: acc, conversionIds: [c.conversion_id] });
      await h.publishCommand(cmd);
      const rows = await h.waitForLedger('delivery to the added pixel', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.pixel_id === added.pixelId && x.status === 'delivered'),
      );
      expect(rows.find((r) => r.pixel_id === added.pixelId)).toMatchObject({
        command_id: cmd.command_id,
        placements: ['channel'],
      });
      expect(rows.find((r) => r.pixel_id === first.pixelId && r.conversion_id === c.conversion_id)).toMatchObject({
        command_id: null,
        revision: 2,
      });
      expect(sandboxCounts(h.sandbox, first.pixelId)).toMatchObject({ accepted: 1 });
      expect(sandboxCounts(h.sandbox, added.pixelId)).toMatchObject({ accepted: 1 });

      // The same command consumed twice (at-least-once) changes nothing.
      await h.publishCommand(cmd);
      await h.waitForConsumed(TOPICS.deliveryCommandV1);
      expect((await h.ledger('conversion_id = $1', [c.conversion_id])).map((r) => [r.status, r.revision])).toEqual([
        ['delivered', 2],
        ['delivered', 2],
      ]);
      await waitFor(async () => (await h.query(`SELECT 1 FROM outbox_message WHERE sent_at IS NULL`)).length === 0, {
        what: 'outbox drained',
      });
      expect(sandboxCounts(h.sandbox, added.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
    },
  );

  it("redeliver limited to one pixel resets only that pixel's failed delivery", async () => {
    const a = newPixel();
    const b = newPixel();
    h.sandbox.registerPixel(a.pixelId, a.token);
    h.sandbox.registerPixel(b.pixelId, b.token);
    const placement = { kind: 'offer' as const, offer_id: 'of_two_bad' };
    const specA = { accountId: acc, pixelId: a.pixelId, token: 'wrong-a', placement, mapping };
    const specB = { accountId: acc, pixelId: b.pixelId, token: 'wrong-b', placement, mapping };
    const ea = pixelEntity(specA);
    const eb = pixelEntity(specB);
    await h.applyConfig(ea, eb);
    const c = conversion({ accountId: acc, offerId: 'of_two_bad' });
    await h.publishConversions([c]);
    await h.waitForLedger(
      'both failed',
      (r) => r.filter((x) => x.conversion_id === c.conversion_id && x.status === 'failed').length === 2,
    );
    await h.applyConfig(pixelResaved(ea, specA, { token: a.token }), pixelResaved(eb, specB, { token: b.token }));
    await h.publishCommand(
      redeliverCommand({ accountId: acc, conversionIds: [c.conversion_id], pixelId: a.pixelId.toUpperCase() }),
    );
    const rows = await h.waitForLedger('pixel a delivered', (r) =>
      r.some((x) => x.conversion_id === c.conversion_id && x.pixel_id === a.pixelId && x.status === 'delivered'),
    );
    expect(rows.find((r) => r.conversion_id === c.conversion_id && r.pixel_id === b.pixelId)!.status).toBe('failed');
    expect(sandboxCounts(h.sandbox, b.pixelId).accepted).toBe(0);
  });

  it('redeliver finds a conversion named by its UUID in any case and passes over ids that are no UUID', async () => {
    const p = newPixel();
    h.sandbox.registerPixel(p.pixelId, p.token);
    const spec = {
      accountId: acc,
      pixelId: p.pixelId,
      token: 'wrong-case',
      placement: { kind: 'offer' as const, offer_id: 'of_case' },
      mapping,
    };
    const entity = pixelEntity(spec);
    await h.applyConfig(entity);
    const c = conversion({ accountId: acc, offerId: 'of_case' });
    await h.publishConversions([c]);
    const mine = (x: { conversion_id: string; pixel_id: string }) =>
      x.conversion_id === c.conversion_id && x.pixel_id === p.pixelId;
    await h.waitForLedger('failed', (r) => r.some((x) => mine(x) && x.status === 'failed'));
    await h.applyConfig(pixelResaved(entity, spec, { token: p.token }));
    await h.publishCommand(
      redeliverCommand({
        accountId: acc,
        conversionIds: ['not-a-uuid', "' OR true --", c.conversion_id.toUpperCase()],
      }),
    );
    await h.waitForLedger('delivered after the redeliver', (r) => r.some((x) => mine(x) && x.status === 'delivered'));
    expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it(
    'acts only on commands for snapchat-capi (or naming no destination); one aimed at tiktok changes ' + 'nothing',
    async () => {
      const a = newPixel();
      const b = newPixel();
      h.sandbox.registerPixel(a.pixelId, a.token);
      h.sandbox.registerPixel(b.pixelId, b.token);
      const specA = {
        accountId: acc,
        pixelId: a.pixelId,
        token: 'wrong-dest',
        placement: { kind: 'offer' as const, offer_id: 'of_dest' },
        mapping,
      };
      const ea = pixelEntity(specA);
      await h.applyConfig(ea);
      const c1 = conversion({ accountId: acc, offerId: 'of_dest' });
      const c2 = conversion({ accountId: acc, offerId: 'of_dest' });
      // Converted on another offer before pixel b is placed there: only a backfill reaches it.
      const c3 = conversion({ accountId: acc, offerId: 'of_dest_b' });
      await h.publishConversions([c1, c2, c3]);
      await h.waitForLedger(
        'both failed',
        (r) => r.filter((x) => x.pixel_id === a.pixelId && x.status === 'failed').length === 2,
      );
      await waitFor(async () => (await h.query(`SELECT 1 FROM conversion WHERE offer_id = 'of_dest_b'`)).length === 1, {
        what: 'conversion of offer b stored',
      });
      const eb = pixelEntity({
        accountId: acc,
        pixelId: b.pixelId,
        token: b.token,
        placement: { kind: 'offer', offer_id: 'of_dest_b' },
        mapping,
      });
      await h.applyConfig(pixelResaved(ea, specA, { token: a.token }), eb);

      // One key (the account) → one partition → handled in this order, so the tiktok commands are read first.
      const both = [c1.conversion_id, c2.conversion_id];
      const tiktokRedeliver = redeliverCommand({ accountId: acc, conversionIds: both, destination: 'tiktok' });
      const tiktokBackfill = backfillCommand({
        accountId: acc,
        pixelConfigId: eb.id,
        sinceDays: 7,
        destination: 'tiktok',
      });
      const snap = redeliverCommand({
        accountId: acc,
        conversionIds: [c1.conversion_id],
        destination: 'snapchat-capi',
      });
      const legacy = redeliverCommand({ accountId: acc, conversionIds: [c2.conversion_id] });
      const nullBackfill = backfillCommand({ accountId: acc, pixelConfigId: eb.id, sinceDays: 7, destination: null });
      expect(legacy).not.toHaveProperty('destination');
      for (const cmd of [tiktokRedeliver, tiktokBackfill, snap, legacy, nullBackfill]) await h.publishCommand(cmd);

      const rows = await h.waitForLedger(
        'the snapchat-capi and destination-less commands',
        (r) =>
          r.filter((x) => x.pixel_id === a.pixelId && x.status === 'delivered').length === 2 &&
          r.some((x) => x.pixel_id === b.pixelId && x.status === 'delivered'),
      );
      const byPair = Object.fromEntries(rows.map((r) => [`${r.conversion_id}|${r.pixel_id}`, r.command_id]));
      expect(byPair).toMatchObject({
        [`${c1.conversion_id}|${a.pixelId}`]: snap.command_id,
        [`${c2.conversion_id}|${a.pixelId}`]: legacy.command_id,
        [`${c3.conversion_id}|${b.pixelId}`]: nullBackfill.command_id,
      });
      // Neither tiktok command touched a row: no reset of a's failures, no backfill of b.
      const tiktokIds = [tiktokRedeliver.command_id, tiktokBackfill.command_id];
      expect(rows.filter((r) => tiktokIds.includes(r.command_id as string))).toEqual([]);
      expect(await h.ledger('pixel_id = $1', [b.pixelId])).toHaveLength(1);
      expect(sandboxCounts(h.sandbox, a.pixelId)).toMatchObject({ accepted: 2, duplicates: 0 });
      expect(sandboxCounts(h.sandbox, b.pixelId)).toMatchObject({ accepted: 1, duplicates: 0 });
    },
  );

  it(
    "backfill delivers the recent conversions of the pixel's offer that it has not received, exactly " + 'once',
    async () => {
      const p = newPixel();
      h.sandbox.registerPixel(p.pixelId, p.token);
      const recent = Array.from({ length: 25 }, (_, i) =>
        conversion({ accountId: acc, offerId: 'of_backfill', occurredAt: new Date(Date.now() - (i + 1) * 3600_000) }),
      );
      const old = conversion({
        accountId: acc,
        offerId: 'of_backfill',
        occurredAt: new Date(Date.now() - 10 * 86400_000),
      });
      const otherOffer = conversion({ accountId: acc, offerId: 'of_elsewhere' });
      // Conversions arrive before the pixel is configured (the setup guide's "lost conversions").
      await h.publishConversions([...recent, old, otherOffer]);
      await waitFor(
        async () =>
          (await h.query(`SELECT 1 FROM conversion WHERE offer_id IN ('of_backfill', 'of_elsewhere')`)).length === 27,
        { what: 'conversions stored' },
      );
      expect(await h.ledger(`pixel_id = $1`, [p.pixelId])).toEqual([]);

      const entity = pixelEntity({
        accountId: acc,
        pixelId: p.pixelId,
        token: p.token,
        placement: { kind: 'offer', offer_id: 'of_backfill' },
        mapping,
      });
      await h.applyConfig(entity);
      const cmd = backfillCommand({ accountId: acc, pixelConfigId: entity.id, sinceDays: 7 });
      await h.publishCommand(cmd);
      const rows = await h.waitForLedger(
        'backfill',
        (r) => r.filter((x) => x.pixel_id === p.pixelId && x.status === 'delivered').length === 25,
      );
      const mine = rows.filter((r) => r.pixel_id === p.pixelId);
      expect(mine).toHaveLength(25);
      expect(mine.every((r) => r.command_id === cmd.command_id)).toBe(true);
      expect(mine.map((r) => r.conversion_id)).not.toContain(old.conversion_id);
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 25, distinct: 25, duplicates: 0 });

      // A second backfill (or the same one again) finds nothing new: the ledger keeps it exactly-once. With 14 days,
      // the older conversion is now included, and only it.
      await h.publishCommand(backfillCommand({ accountId: acc, pixelConfigId: entity.id, sinceDays: 14 }));
      await h.waitForLedger(
        'second backfill',
        (r) => r.filter((x) => x.pixel_id === p.pixelId && x.status === 'delivered').length === 26,
      );
      await h.publishCommand(cmd);
      await h.waitForConsumed(TOPICS.deliveryCommandV1);
      const marker = conversion({ accountId: acc, offerId: 'of_backfill' });
      await h.publishConversions([marker]);
      await h.waitForLedger('marker', (r) =>
        r.some((x) => x.conversion_id === marker.conversion_id && x.status === 'delivered'),
      );
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 27, distinct: 27, duplicates: 0 });
    },
  );

  it('backfill for an unknown pixel placement, or one of another account, does nothing', async () => {
    const p = newPixel();
    h.sandbox.registerPixel(p.pixelId, p.token);
    const convs = [
      conversion({ accountId: acc, channelId: 'tc_none', offerId: 'of_bf2' }),
      conversion({ accountId: acc, channelId: 'tc_none', offerId: 'of_bf2' }),
    ];
    await h.publishConversions(convs);
    await waitFor(async () => (await h.query(`SELECT 1 FROM conversion WHERE offer_id = 'of_bf2'`)).length === 2, {
      what: 'conversions stored',
    });
    const entity = pixelEntity({
      accountId: acc,
      pixelId: p.pixelId,
      token: p.token,
      placement: { kind: 'offer', offer_id: 'of_bf2' },
      mapping,
    });
    await h.applyConfig(entity);
    // Same key (account) → same partition → handled in this order.
    const commands = topicName(h.prefix, TOPICS.deliveryCommandV1);
    const unknown = backfillCommand({ accountId: acc, pixelConfigId: 'px_does_not_exist', sinceDays: 7 });
    const foreign = backfillCommand({ accountId: 'acc_foreign', pixelConfigId: entity.id, sinceDays: 7 });
    const valid = backfillCommand({ accountId: acc, pixelConfigId: entity.id, sinceDays: 7 });
    for (const c of [unknown, foreign, valid]) await h.publishRaw(commands, acc, JSON.stringify(c));
    const rows = await h.waitForLedger(
      'the valid backfill',
      (r) => r.filter((x) => x.pixel_id === p.pixelId && x.status === 'delivered').length === 2,
    );
    expect(rows.filter((r) => r.pixel_id === p.pixelId).map((r) => r.command_id)).toEqual([
      valid.command_id,
      valid.command_id,
    ]);
    expect(rows.filter((r) => r.command_id === unknown.command_id || r.command_id === foreign.command_id)).toEqual([]);
  });

  it('sends undecodable and contract-violating messages to the dead-letter topic and keeps consuming', async () => {
    const dead = await h.collect(TOPICS.deadLetterV1);
    const conversions = topicName(h.prefix, TOPICS.conversionCreatedV1);
    const attributedWithout = { ...conversion({ accountId: acc, offerId: 'of_redeliver' }), attribution: null };
    await h.publishRaw(conversions, 'k1', 'this is not json');
    await h.publishRaw(conversions, 'k2', JSON.stringify({ schema: 'conversion.created.v1', conversion_id: 'nope' }));
    await h.publishRaw(conversions, attributedWithout.conversion_id, JSON.stringify(attributedWithout));
    await h.publishRaw(
      topicName(h.prefix, TOPICS.deliveryCommandV1),
      acc,
      JSON.stringify({ schema: 'delivery.command.v1', kind: 'explode' }),
    );
    await h.publishRaw(
      topicName(h.prefix, TOPICS.configEntityV1),
      'pixel:bad',
      JSON.stringify({
        schema: 'config.entity.v1',
        entity_type: 'pixel',
        id: 'bad',
        account_id: acc,
        version: 1,
        deleted: false,
        updated_at: new Date().toISOString(),
        data: { pixel_id: 5 },
      }),
    );
    const good = conversion({ accountId: acc, offerId: 'of_redeliver' });
    await h.publishConversions([good]);
    await h.waitForLedger('the good conversion after the bad ones', (r) =>
      r.some((x) => x.conversion_id === good.conversion_id && x.status === 'delivered'),
    );
    await waitFor(() => dead.messages.length === 5, { what: '5 dead letters', timeoutMs: 20000 });
    const byKey = new Map(dead.messages.map((m) => [m.key, m.value as Record<string, unknown>]));
    expect(byKey.get('k1')).toMatchObject({
      schema: 'dead-letter.v1',
      consumer: 'snapchat-capi-dispatcher',
      source_topic: conversions,
      original_value: 'this is not json',
    });
    expect(byKey.get('k1')!['reason']).toMatch(/not JSON/);
    expect(byKey.get('k2')!['reason']).toMatch(/conversion_id/);
    expect(byKey.get(attributedWithout.conversion_id)!['reason']).toMatch(
      /attributed conversion must carry its attribution/,
    );
    expect(byKey.get(acc)!['reason']).toMatch(/delivery\.command\.v1/);
    expect(byKey.get('pixel:bad')!['reason']).toMatch(/PixelData/);
    expect(await h.query(`SELECT 1 FROM conversion WHERE id = $1`, [attributedWithout.conversion_id])).toEqual([]);
  });

  it(
    'keeps the highest config version: an older pixel state arriving late changes nothing; a ' + 'tombstone deletes',
    async () => {
      const p = newPixel();
      h.sandbox.registerPixel(p.pixelId, p.token);
      const current = pixelEntity({
        accountId: acc,
        pixelId: p.pixelId,
        token: p.token,
        placement: { kind: 'offer', offer_id: 'of_versions' },
        mapping,
        version: 900000,
      });
      await h.applyConfig(current);
      const stale = pixelEntity({
        id: current.id,
        accountId: acc,
        pixelId: p.pixelId,
        token: 'stale-token',
        placement: { kind: 'offer', offer_id: 'of_versions' },
        mapping: {},
        version: 899999,
      });
      await h.publishConfig(stale);
      const c = conversion({ accountId: acc, channelId: 'tc_none', offerId: 'of_versions' });
      await h.publishConversions([c]);
      await h.waitForLedger('delivery with the current version', (r) =>
        r.some((x) => x.conversion_id === c.conversion_id && x.status === 'delivered'),
      );
      expect(
        (await h.query<{ version: string }>(`SELECT version FROM config_entity WHERE entity_id = $1`, [current.id]))[0]!
          .version,
      ).toBe('900000');

      await h.publishRaw(topicName(h.prefix, TOPICS.configEntityV1), `pixel:${current.id}`, null);
      await waitFor(
        async () =>
          (
            await h.query<{ deleted: boolean }>(`SELECT deleted FROM config_entity WHERE entity_id = $1`, [current.id])
          )[0]?.deleted === true,
        { what: 'tombstone applied' },
      );
      const after = conversion({ accountId: acc, channelId: 'tc_none', offerId: 'of_versions' });
      const marker = conversion({ accountId: acc, channelId: 'tc_none', offerId: 'of_redeliver' });
      await h.publishConversions([after, marker]);
      await h.waitForLedger('marker', (r) =>
        r.some((x) => x.conversion_id === marker.conversion_id && x.status === 'delivered'),
      );
      await waitFor(
        async () => (await h.query(`SELECT 1 FROM conversion WHERE id = $1`, [after.conversion_id])).length === 1,
        { what: 'conversion stored' },
      );
      expect(await h.ledger('conversion_id = $1', [after.conversion_id])).toEqual([]);
    },
  );

  it('a second dispatcher instance in the same group and database never sends a pair twice', async () => {
    const p = newPixel();
    h.sandbox.registerPixel(p.pixelId, p.token);
    await h.applyConfig(
      pixelEntity({
        accountId: acc,
        pixelId: p.pixelId,
        token: p.token,
        placement: { kind: 'offer', offer_id: 'of_twins' },
        mapping,
      }),
    );
    const second = await startDispatcher({ ...h.config, port: 0, maxEventsPerRequest: 20 });
    try {
      const convs = Array.from({ length: 300 }, () => conversion({ accountId: acc, offerId: 'of_twins' }));
      await h.publishConversions(convs);
      await h.waitForLedger(
        '300 deliveries',
        (r) => r.filter((x) => x.pixel_id === p.pixelId && x.status === 'delivered').length === 300,
        60000,
      );
      expect(sandboxCounts(h.sandbox, p.pixelId)).toMatchObject({ accepted: 300, distinct: 300, duplicates: 0 });
      expect(second.sender.stats.requests + h.app!.sender.stats.requests).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });
});
