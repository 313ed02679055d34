import { randomUUID } from 'node:crypto';
import { ConfigError } from '@snaptrack/util-config';
import { RetentionJob, openDatabase } from '@snaptrack/util-db';
import { createLogger } from '@snaptrack/util-logger';
import { TEST_INTERNAL_SECRET, createTestDatabase } from '@snaptrack/util-testing';
import type { DataSource } from 'typeorm';
import { campaignRetentionRules } from '../src/click/click.retention';
import { loadCampaignServiceConfig } from '../src/config';
import { createCampaignDataSource } from '../src/data-source';

const DAY = 24 * 3600 * 1000;

describe('campaign-service click retention (real PostgreSQL, migrations applied)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('campaign');
    ds = await openDatabase(createCampaignDataSource(db.url));
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function click(id: string, campaignId: string, clickedAt: Date): Promise<void> {
    await ds.query(
      `INSERT INTO click (click_id, account_id, campaign_id, traffic_channel_id, traffic_channel_template, offer_id,
                          tracking_method, ip, user_agent, params, clicked_at)
       VALUES ($1, 'acc', $2, 'ch', 'snapchat', 'off', 'redirect', '203.0.113.1', 'UA', '{}', $3)`,
      [id, campaignId, clickedAt],
    );
  }
  const remaining = async () =>
    ((await ds.query(`SELECT click_id FROM click ORDER BY click_id`)) as Array<{ click_id: string }>).map(
      (r) => r.click_id,
    );

  it('has an index on clicked_at', async () => {
    const rows: Array<{ indexdef: string }> = await ds.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'click' AND indexname = 'click_clicked_at'`,
    );
    expect(rows.map((r) => r.indexdef)).toEqual([expect.stringMatching(/\(clicked_at\)/)]);
  });

  it('deletes exactly the clicks older than CLICK_RETENTION_DAYS, in bounded batches; the rest stays', async () => {
    const config = loadCampaignServiceConfig({ INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET });
    expect(config.clickRetentionDays).toBe(45);
    const now = Date.now();
    const cmp = randomUUID();
    const due = 2100; // more than two batches of 1000
    await ds.query(
      `INSERT INTO click (click_id, account_id, campaign_id, traffic_channel_id, traffic_channel_template, offer_id,
                          tracking_method, params, clicked_at)
       SELECT 'due-' || lpad(g::text, 5, '0'), 'acc', $1, 'ch', 'snapchat', 'off', 'redirect', '{}',
              $2::timestamptz - g * interval '1 minute'
         FROM generate_series(1, $3::int) g`,
      [cmp, new Date(now - 45 * DAY), due],
    );
    await click('due-just', cmp, new Date(now - 45 * DAY - 60_000));
    await click('keep-just-inside', cmp, new Date(now - 45 * DAY + 60_000));
    await click('keep-37-days', cmp, new Date(now - 37 * DAY));
    await click('keep-now', cmp, new Date(now));
    await ds.query(`INSERT INTO campaign_click_count (campaign_id, clicks) VALUES ($1, $2)`, [cmp, due + 4]);

    const deletes: string[] = [];
    const spy = jest.spyOn(ds, 'query');
    const job = new RetentionJob(ds, campaignRetentionRules(config), {
      intervalMs: config.retentionIntervalMs,
      batchSize: config.retentionBatchSize,
      log: createLogger('test', 'error'),
    });
    expect(await job.runOnce()).toEqual({ click: due + 1 });
    deletes.push(...spy.mock.calls.map((c) => String(c[0])).filter((sql) => sql.trim().startsWith('DELETE')));
    spy.mockRestore();

    expect(deletes).toHaveLength(3); // 1000 + 1000 + 101: never one giant DELETE
    expect(await remaining()).toEqual(['keep-37-days', 'keep-just-inside', 'keep-now']);
    // The per-campaign counter is an aggregate without personal data: it keeps counting every click ever recorded.
    expect(await ds.query(`SELECT clicks FROM campaign_click_count WHERE campaign_id = $1`, [cmp])).toEqual([
      { clicks: String(due + 4) },
    ]);
    expect(await job.runOnce()).toEqual({ click: 0 });
    await job.stop();
  });

  it('honours CLICK_RETENTION_DAYS and refuses a window shorter than Snap accepts events', async () => {
    const config = loadCampaignServiceConfig({
      INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET,
      CLICK_RETENTION_DAYS: '40',
    });
    await ds.query(`DELETE FROM click`);
    const cmp = randomUUID();
    await click('c40-due', cmp, new Date(Date.now() - 40 * DAY - 60_000));
    await click('c40-keep', cmp, new Date(Date.now() - 40 * DAY + 60_000));
    const job = new RetentionJob(ds, campaignRetentionRules(config), {
      intervalMs: 60_000,
      batchSize: 10,
      log: createLogger('test', 'error'),
    });
    expect(await job.runOnce()).toEqual({ click: 1 });
    expect(await remaining()).toEqual(['c40-keep']);
    await job.stop();
    expect(() =>
      loadCampaignServiceConfig({ INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, CLICK_RETENTION_DAYS: '37' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadCampaignServiceConfig({ INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET, RETENTION_BATCH_SIZE: '0' }),
    ).toThrow(/RETENTION_BATCH_SIZE/);
  });
});
