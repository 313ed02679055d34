import { gqlAs } from '@snaptrack/util-testing';
import { startTestConfigService } from './harness';

describe('config-service wiring', () => {
  let app: Awaited<ReturnType<typeof startTestConfigService>>;
  beforeAll(async () => {
    app = await startTestConfigService();
  });
  afterAll(async () => {
    await app?.stop();
    await app?.dropDb();
  });

  it('answers liveness and readiness (database and Kafka)', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    // A probe that timed out on a loaded machine is cached for ~1 s: poll until it answers (at most 15 s).
    let body: unknown;
    for (const deadline = Date.now() + 15000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      body = await (await fetch(`${app.url}/readyz`)).json();
      if ((body as { status?: string }).status === 'ready') break;
    }
    expect(body).toEqual({ status: 'ready', checks: { database: true, kafka: true } });
  });

  it('lists the built-in templates to a gateway-signed caller', async () => {
    const res = await gqlAs(
      app.url,
      'acc-1',
      '{ trafficChannelTemplates { key clickIdParam parameters { name value } } }',
    );
    expect(res.errors).toBeUndefined();
    const snap = res.data.trafficChannelTemplates.find((t: { key: string }) => t.key === 'snapchat');
    expect(snap.clickIdParam).toBe('ScCid');
    expect(snap.parameters.map((p: { value: string }) => p.value)).toContain('{{adSet.id}}');
  });

  it('refuses requests that did not come through the gateway', async () => {
    const res = await gqlAs(app.url, null, '{ trafficChannelTemplates { key } }');
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await gqlAs(app.url, 'acc-1', '{ trafficChannelTemplates { key } }', {}, 'wrong-secret');
    expect(forged.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
