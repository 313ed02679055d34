import { waitFor } from '@snaptrack/util-testing';
import { startTestConversionService, type TestConversionService } from './harness';
import {
  TestBus,
  clickValue,
  entity,
  postback,
  publishClickAndWait,
  randomId,
  seedAccount,
  stateCounts,
  type SeededAccount,
} from './factories';

/**
 * A postback arriving with the Host of a tracking domain is served only when config.entity.v1 says the domain is
 * verified; on an unverified one it is answered 404 with a reason and nothing is stored (no conversion, no pending
 * postback, no outbox row).
 */
describe('conversion-service: postbacks only on verified tracking domains', () => {
  let app: TestConversionService;
  let bus: TestBus;
  let acc: SeededAccount;
  const pendingHost = `${randomId('pending')}.example.com`;
  const legacyHost = `${randomId('legacy')}.example.com`;
  const pendingDomainId = randomId('td-');

  const newClick = () =>
    publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.offerSourceId, offer_id: acc.offerId }),
    );
  const conversions = async () => (await stateCounts(app.ds)).conversion;
  /** A postback the offer source accepts (its click, its token), so only the Host decides. */
  const acceptedPostback = async (host: string) => {
    const click = await publishClickAndWait(
      bus,
      app.ds,
      clickValue(acc.accountId, { offer_source_id: acc.tokenOfferSourceId, offer_id: acc.tokenOfferId }),
    );
    return postback(app.url, { clickid: click.click_id, type: 'Lead', token: acc.token }, { host });
  };

  beforeAll(async () => {
    app = await startTestConversionService();
    bus = await TestBus.connect(app.config.kafkaTopicPrefix!);
    acc = await seedAccount(bus, app.ds);
    await bus.publishConfig(
      entity('tracking_domain', pendingDomainId, acc.accountId, {
        hostname: pendingHost,
        is_default: false,
        verified: false,
      }),
      // Published before verification existed: no field means not verified.
      entity('tracking_domain', randomId('td-'), acc.accountId, { hostname: legacyHost, is_default: false }),
    );
    await waitFor(async () => (await app.configView.trackingDomainForHost(legacyHost)) !== null, {
      what: 'the domains in the view',
    });
  });
  afterAll(async () => {
    await bus?.close();
    await app?.stop();
    await app?.dropDb();
  });

  it.each([
    ['verified: false', () => pendingHost],
    ['verified: false, any case and a port', () => `${pendingHost.toUpperCase()}:8080`],
    ['no verified field', () => legacyHost],
  ])('an unverified domain (%s) answers 404 and stores nothing', async (_what, host) => {
    const click = await newClick();
    const before = await stateCounts(app.ds);
    for (const method of ['GET', 'POST'] as const) {
      for (const clickid of [click.click_id, 'unknown-click-' + randomId()]) {
        const res = await postback(app.url, { clickid, type: 'Lead', sum: '5' }, { method, host: host() });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'domain_not_verified', reason: expect.stringContaining('not verified') });
      }
    }
    expect(await stateCounts(app.ds)).toEqual(before);
  });

  it('the verified domain of the account takes the postback', async () => {
    const before = await conversions();
    const res = await acceptedPostback(acc.host);
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(await conversions()).toBe(before + 1);
  });

  it('a domain takes postbacks once config-service publishes it verified', async () => {
    await bus.publishConfig(
      entity(
        'tracking_domain',
        pendingDomainId,
        acc.accountId,
        { hostname: pendingHost, is_default: false, verified: true },
        2,
      ),
    );
    await waitFor(async () => (await app.configView.trackingDomainForHost(pendingHost))?.verified === true, {
      what: 'the verified state in the view',
    });
    const before = await conversions();
    const res = await acceptedPostback(pendingHost);
    expect(res).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(await conversions()).toBe(before + 1);
  });
});
