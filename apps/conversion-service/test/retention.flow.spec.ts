import type { ClickRecordedV1 } from '@snaptrack/contracts-events';
import { ConfigError } from '@snaptrack/util-config';
import { RetentionJob, openDatabase } from '@snaptrack/util-db';
import { createLogger } from '@snaptrack/util-logger';
import { TEST_INTERNAL_SECRET, createTestDatabase } from '@snaptrack/util-testing';
import type { DataSource } from 'typeorm';
import { conversionRetentionRules } from '../src/click/click.retention';
import { ClickService } from '../src/click/click.service';
import { loadConversionServiceConfig } from '../src/config';
import { createConversionDataSource } from '../src/data-source';

const DAY = 24 * 3600 * 1000;
const BASE_ENV = { INTERNAL_AUTH_SECRET: TEST_INTERNAL_SECRET };

function click(id: string, clickedAt: Date): ClickRecordedV1.Value {
  return {
    schema: 'click.recorded.v1',
    click_id: id,
    account_id: 'acc-retention',
    campaign_id: 'cmp',
    traffic_channel_id: 'ch',
    traffic_channel_template: 'snapchat',
    offer_id: 'off',
    offer_source_id: null,
    tracking_method: 'redirect',
    sc_click_id: `sc-${id}`,
    ip: '203.0.113.9',
    user_agent: 'UA',
    referrer: null,
    landing_url: null,
    params: {},
    clicked_at: clickedAt.toISOString(),
  };
}

describe('conversion-service click view retention (real PostgreSQL, migrations applied)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let clicks: ClickService;

  beforeAll(async () => {
    db = await createTestDatabase('conversion');
    ds = await openDatabase(createConversionDataSource(db.url));
    clicks = new ClickService(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const remaining = async () =>
    ((await ds.query(`SELECT click_id FROM click_view ORDER BY click_id`)) as Array<{ click_id: string }>).map(
      (r) => r.click_id,
    );

  it('has an index on click_view.clicked_at', async () => {
    const rows: Array<{ indexdef: string }> = await ds.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'click_view' AND indexname = 'click_view_clicked_at'`,
    );
    expect(rows.map((r) => r.indexdef)).toEqual([expect.stringMatching(/\(clicked_at\)/)]);
  });

  it('deletes exactly the clicks older than CLICK_RETENTION_DAYS, in bounded batches; the rest stays', async () => {
    const config = loadConversionServiceConfig(BASE_ENV);
    expect([config.clickRetentionDays, config.retentionBatchSize]).toEqual([45, 1000]);
    const now = Date.now();
    const due = Array.from({ length: 1500 }, (_, i) =>
      click(`due-${String(i).padStart(4, '0')}`, new Date(now - 45 * DAY - (i + 1) * 60_000)),
    );
    expect(await clicks.applyClicks(due)).toBe(1500);
    await clicks.applyClicks([
      click('keep-just-inside', new Date(now - 45 * DAY + 60_000)),
      click('keep-37-days', new Date(now - 37 * DAY)),
      click('keep-now', new Date(now)),
    ]);

    const spy = jest.spyOn(ds, 'query');
    const job = new RetentionJob(ds, conversionRetentionRules(config), {
      intervalMs: config.retentionIntervalMs,
      batchSize: config.retentionBatchSize,
      log: createLogger('test', 'error'),
    });
    expect(await job.runOnce()).toEqual({ click_view: 1500 });
    const deletes = spy.mock.calls.map((c) => String(c[0])).filter((sql) => sql.trim().startsWith('DELETE'));
    spy.mockRestore();
    expect(deletes).toHaveLength(2); // 1000 + 500
    expect(await remaining()).toEqual(['keep-37-days', 'keep-just-inside', 'keep-now']);
    expect(await clicks.find('due-0000')).toBeNull();
    expect((await clicks.find('keep-37-days'))?.scClickId).toBe('sc-keep-37-days');
    expect(await job.runOnce()).toEqual({ click_view: 0 });
    await job.stop();
  });

  it('the rules follow CLICK_RETENTION_DAYS, and the config refuses a window Snap could outlive', () => {
    const config = loadConversionServiceConfig({ ...BASE_ENV, CLICK_RETENTION_DAYS: '60', RETENTION_BATCH_SIZE: '50' });
    expect(conversionRetentionRules(config)).toEqual([
      { name: 'click_view', table: 'click_view', key: 'click_id', column: 'clicked_at', days: 60 },
    ]);
    expect(() => loadConversionServiceConfig({ ...BASE_ENV, CLICK_RETENTION_DAYS: '30' })).toThrow(ConfigError);
    expect(() => loadConversionServiceConfig({ ...BASE_ENV, RETENTION_INTERVAL_MS: '10' })).toThrow(
      /RETENTION_INTERVAL_MS/,
    );
  });
});
