import { randomUUID } from 'node:crypto';
import { CredentialLimits, deliverBatch } from '@snaptrack/delivery-engine';
import { createLogger } from '@snaptrack/util-logger';
import { captureLogs } from '@snaptrack/util-testing';
import { startSandbox, type Sandbox } from '@snaptrack/snap-capi-sandbox';
import { conversion, newPixel } from '../../test/factories';
import { SnapCapiClient } from './client';
import { SnapchatDestination, type SnapTarget } from './destination';

/** The Snapchat plug-in through the destination-neutral engine, against the sandbox (Snap's answers and checks). */
describe('SnapchatDestination through deliverBatch', () => {
  const pixel = newPixel();
  let sandbox: Sandbox;
  let dest: SnapchatDestination;
  let logs: ReturnType<typeof captureLogs>;
  const target = (over: Partial<SnapTarget> = {}): SnapTarget => ({
    pixelId: pixel.pixelId,
    eventName: 'PURCHASE',
    limitedDataUse: false,
    testMode: false,
    ...over,
  });
  const items = (convs: ReturnType<typeof conversion>[]) => convs.map((c) => ({ key: c.conversion_id, conversion: c }));

  beforeAll(async () => {
    logs = captureLogs();
    sandbox = await startSandbox({ port: 0, strictPixels: true, pixels: { [pixel.pixelId]: pixel.token } });
    const client = new SnapCapiClient({
      baseUrl: sandbox.url,
      timeoutMs: 2000,
      log: createLogger('dest-spec', 'warn'),
    });
    dest = new SnapchatDestination(client, { integration: 'snaptrack', maxRequestBytes: 1_000_000 });
  });
  afterAll(async () => {
    await sandbox.stop();
    logs.restore();
  });

  it('delivers valid events and fails a withdrawn currency before sending', async () => {
    const good = [conversion({ accountId: 'acc' }), conversion({ accountId: 'acc', transactionId: 'ORD-1' })];
    const hrk = conversion({ accountId: 'acc', currency: 'HRK' });
    const r = await deliverBatch(
      dest,
      { target: target(), credential: pixel.token, items: items([good[0]!, hrk, good[1]!]) },
      { limits: new CredentialLimits({ concurrencyPerCredential: 2 }) },
    );
    expect(r.outcomes.map((o) => [o.status, o.reasonCode, o.sent])).toEqual([
      ['delivered', null, true],
      ['failed', 'invalid_currency', false],
      ['delivered', null, true],
    ]);
    expect(r.requests).toBe(1);
    expect(r.outcomes[0]!.eventId).toBe(good[0]!.event_id);
    expect(
      sandbox.store
        .events({ pixelId: pixel.pixelId })
        .map((e) => e.event_id)
        .sort(),
    ).toEqual([good[0]!.event_id, good[1]!.event_id].sort());
  });

  it('a 429 without Retry-After defers without naming a wait; a 400 naming an event isolates it', async () => {
    const lim = new CredentialLimits({ concurrencyPerCredential: 1 });
    sandbox.addFault({ pixel_id: pixel.pixelId, status: 429, body: { status: 'FAILED', reason: 'Too many requests' } });
    const slowed = await deliverBatch(
      dest,
      { target: target(), credential: pixel.token, items: items([conversion({ accountId: 'acc' })]) },
      { limits: lim },
    );
    expect(slowed.outcomes[0]).toMatchObject({ status: 'retrying', reasonCode: 'rate_limited', retryAfterMs: null });
    expect(slowed.credential).toMatchObject({ kind: 'rate_limited', retryAfterMs: null });

    sandbox.addFault({
      pixel_id: pixel.pixelId,
      status: 400,
      body: { status: 'INVALID', event: 1, reason: 'Bad one' },
    });
    const three = [
      conversion({ accountId: 'acc' }),
      conversion({ accountId: 'acc' }),
      conversion({ accountId: 'acc' }),
    ];
    const split = await deliverBatch(
      dest,
      { target: target(), credential: pixel.token, items: items(three) },
      { limits: lim },
    );
    // The whole batch was refused once (the fault), then the named event alone and the rest went through.
    expect(split.requests).toBe(3);
    expect(split.outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('a wrong token is an auth failure of the credential (nothing delivered)', async () => {
    const r = await deliverBatch(
      dest,
      { target: target(), credential: `tok_${randomUUID()}`, items: items([conversion({ accountId: 'acc' })]) },
      { limits: new CredentialLimits({ concurrencyPerCredential: 1 }) },
    );
    expect(r.outcomes[0]).toMatchObject({ status: 'failed', reasonCode: 'invalid_authentication' });
    expect(r.credential).toMatchObject({ kind: 'auth', reasonCode: 'invalid_authentication' });
    expect(r.outcomes[0]!.message).toMatch(`Snapchat rejected the access token for pixel ${pixel.pixelId}`);
  });
});
