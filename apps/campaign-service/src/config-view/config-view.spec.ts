import type { ConfigEntityV1 } from '@snaptrack/contracts-events';
import { ConfigView, dataProblem } from './config-view';

const offer = (
  id: string,
  version: number,
  url: string,
  extra: Partial<ConfigEntityV1.Value> = {},
): ConfigEntityV1.Value =>
  ({
    schema: 'config.entity.v1',
    entity_type: 'offer',
    id,
    account_id: 'acc',
    version,
    deleted: false,
    updated_at: new Date().toISOString(),
    data: { name: 'o', url, offer_source_id: 's' },
    ...extra,
  }) as ConfigEntityV1.Value;

describe('ConfigView', () => {
  it('keeps the highest version per entity', async () => {
    const v = new ConfigView();
    expect(await v.apply(offer('o1', 2, 'https://v2/'))).toBe(true);
    expect(await v.apply(offer('o1', 1, 'https://v1/'))).toBe(false);
    expect(v.offer('o1', 'acc')?.url).toBe('https://v2/');
    await v.apply(offer('o1', 3, 'https://v3/'));
    expect(v.offer('o1', 'acc')?.url).toBe('https://v3/');
  });

  it('treats deleted as gone, and an older version cannot resurrect it', async () => {
    const v = new ConfigView();
    await v.apply(offer('o1', 1, 'https://v1/'));
    await v.apply(offer('o1', 2, 'https://v1/', { deleted: true, data: null }));
    expect(v.offer('o1', 'acc')).toBeUndefined();
    await v.apply(offer('o1', 1, 'https://v1/'));
    expect(v.offer('o1', 'acc')).toBeUndefined();
  });

  it("scopes lookups to the entity's account", async () => {
    const v = new ConfigView();
    await v.apply(offer('o1', 1, 'https://v1/'));
    expect(v.offer('o1', 'someone-else')).toBeUndefined();
  });

  it('finds tracking domains by host, case-insensitively', async () => {
    const v = new ConfigView();
    await v.apply({
      schema: 'config.entity.v1',
      entity_type: 'tracking_domain',
      id: 'd1',
      account_id: 'acc',
      version: 1,
      deleted: false,
      updated_at: new Date().toISOString(),
      data: { hostname: 'Trk.Example.com', is_default: true },
    });
    expect(v.trackingDomainByHost('trk.example.COM', 'acc')?.id).toBe('d1');
    expect(v.trackingDomains('other')).toEqual([]);
  });

  it('maps a Host to its tracking domain across accounts, with verification, and forgets deleted ones', async () => {
    const v = new ConfigView();
    const domain = (id: string, account: string, version: number, data: object | null) =>
      ({
        schema: 'config.entity.v1',
        entity_type: 'tracking_domain',
        id,
        account_id: account,
        version,
        deleted: data === null,
        updated_at: new Date().toISOString(),
        data,
      }) as ConfigEntityV1.Value;
    await v.apply(domain('d1', 'acc', 1, { hostname: 'Trk.Example.com', is_default: true }));
    expect(v.trackingDomainForHost('trk.example.com')).toMatchObject({ id: 'd1', accountId: 'acc' });
    expect(v.trackingDomainForHost('trk.example.com')?.verified).toBeUndefined();
    await v.apply(domain('d1', 'acc', 2, { hostname: 'trk.example.com', is_default: true, verified: true }));
    expect(v.trackingDomainForHost('TRK.example.com')?.verified).toBe(true);
    // A stale unverified claim of the same hostname never hides the verified owner.
    await v.apply(domain('d0', 'old', 1, { hostname: 'trk.example.com', is_default: true }));
    expect(v.trackingDomainForHost('trk.example.com')?.id).toBe('d1');
    await v.apply(domain('d1', 'acc', 3, null));
    expect(v.trackingDomainForHost('trk.example.com')?.id).toBe('d0');
    await v.forget('tracking_domain:d0');
    expect(v.trackingDomainForHost('trk.example.com')).toBeUndefined();
    expect(dataProblem(domain('d2', 'acc', 1, { hostname: 'x.example', is_default: true, verified: 'yes' }))).toMatch(
      /verified/,
    );
  });

  it('ignores entity types it does not need', async () => {
    const v = new ConfigView();
    expect(await v.apply({ ...offer('p1', 1, 'x'), entity_type: 'pixel' } as ConfigEntityV1.Value)).toBe(false);
    expect(v.size).toBe(0);
  });

  it('waitFor polls until found or the deadline', async () => {
    const v = new ConfigView();
    setTimeout(() => void v.apply(offer('late', 1, 'https://late/')), 30);
    expect((await v.waitFor(() => v.offer('late', 'acc'), 2000, 5))?.url).toBe('https://late/');
    const started = Date.now();
    expect(await v.waitFor(() => v.offer('never', 'acc'), 60, 5)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('names data problems of the shapes it relies on', async () => {
    expect(dataProblem(offer('o', 1, 'https://x/'))).toBeNull();
    expect(dataProblem({ ...offer('o', 1, 'x'), data: { name: 'x' } } as unknown as ConfigEntityV1.Value)).toMatch(
      /offer.data.url/,
    );
    expect(dataProblem({ ...offer('o', 1, 'x'), data: null })).toMatch(/without data/);
    expect(dataProblem({ ...offer('o', 1, 'x'), deleted: true, data: null })).toBeNull();
    expect(
      dataProblem({
        schema: 'config.entity.v1',
        entity_type: 'traffic_channel',
        id: 't',
        account_id: 'a',
        version: 1,
        deleted: false,
        updated_at: '',
        data: { name: 'n', template: 'snapchat', click_id_param: null, parameters: [{ name: 1 }] },
      } as unknown as ConfigEntityV1.Value),
    ).toMatch(/parameters/);
  });
});
