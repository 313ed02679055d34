import { TOPICS } from '@snaptrack/contracts-events';
import { conversion, newPixel, pixelEntity, trafficChannelEntity } from './factories';
import { sandboxCounts, startHarness, type Harness } from './harness';

/**
 * The recovery procedure after a ledger restore (docs/deployment.md, "Restoring the dispatcher ledger"): the
 * dispatcher runs with SENDER_ENABLED=false while the replayed conversions fill the ledger, the deliveries that were
 * made after the backup are marked from delivery.result.v1, and only then does a normal start send the rest. A marked
 * delivery is never sent again.
 */
describe('SENDER_ENABLED=false: consume into the ledger, send nothing; mark, then send only the rest', () => {
  const acc = 'acc_restore';
  const px = newPixel();
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    h.sandbox.registerPixel(px.pixelId, px.token);
    await h.publishConfig(
      trafficChannelEntity({ id: 'tc_restore', accountId: acc, template: 'snapchat' }),
      pixelEntity({
        accountId: acc,
        pixelId: px.pixelId,
        token: px.token,
        placement: { kind: 'channel', traffic_channel_id: 'tc_restore' },
        mapping: { ct_lead: 'SIGN_UP' },
      }),
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fills the ledger from the topic without a single request to Snapchat', async () => {
    const app = await h.start({ senderEnabled: false });
    const sentBefore = conversion({ accountId: acc, channelId: 'tc_restore' });
    const notSent = conversion({ accountId: acc, channelId: 'tc_restore' });
    await h.publishConversions([sentBefore, notSent]);
    await h.waitForConsumed(TOPICS.conversionCreatedV1);
    const rows = await h.waitForLedger(
      'both rows pending',
      (r) => r.filter((x) => x.status === 'pending').length === 2,
    );
    expect(rows.map((r) => r.pixel_id)).toEqual([px.pixelId, px.pixelId]);
    // A negative: give a working sender ten poll intervals (SENDER_POLL_MS is 100 here) to prove it would have sent.
    const until = Date.now() + 10 * h.config.senderPollMs;
    while (Date.now() < until) {
      expect(sandboxCounts(h.sandbox, px.pixelId).events).toEqual([]);
      await new Promise((r) => setTimeout(r, h.config.senderPollMs));
    }
    expect(app.sender.stats.requests).toBe(0);
    expect((await h.ledger()).map((r) => r.status)).toEqual(['pending', 'pending']);

    // The mark: this one was delivered after the backup (delivery.result.v1 says so).
    await h.query(`UPDATE delivery SET status = 'delivered', delivered_at = now() WHERE conversion_id = $1`, [
      sentBefore.conversion_id,
    ]);
    await h.stopApp();

    await h.start();
    await h.waitForLedger('the unmarked one delivered', (r) =>
      r.some((x) => x.conversion_id === notSent.conversion_id && x.status === 'delivered'),
    );
    expect(sandboxCounts(h.sandbox, px.pixelId).events.map((e) => e.event_id)).toEqual([notSent.event_id]);
  });
});
