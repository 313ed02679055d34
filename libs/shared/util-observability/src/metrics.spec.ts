import { METRIC_NAMES, ServiceMetrics, safeLabel } from './metrics';

describe('ServiceMetrics', () => {
  it('keeps one registry per instance, with default process metrics and the service label', async () => {
    const a = new ServiceMetrics('a');
    const b = new ServiceMetrics('b');
    a.postback('accepted');
    const { body: textA } = await a.render();
    const { body: textB } = await b.render();
    expect(textA).toMatch(/^process_cpu_user_seconds_total\{service="a"\} /m);
    expect(textA).toMatch(/^snaptrack_postbacks_total\{outcome="accepted",reason="none",service="a"\} 1$/m);
    expect(textB).not.toContain(METRIC_NAMES.postbacks);
  });

  it('counts postbacks, clicks, deliveries and Snap requests with safe labels', async () => {
    const m = new ServiceMetrics('s');
    m.postback('refused', 'invalid_secret');
    m.postback('refused', 'invalid_secret');
    m.postback('refused', 'a reason with spaces and a@b.c');
    m.click('recorded', 'redirect');
    m.delivery('failed', 'INVALID_TOKEN', 3);
    m.delivery('sent', null, 0);
    m.snapRequest(200, 0.12, 7);
    const { body } = await m.render();
    expect(body).toMatch(/snaptrack_postbacks_total\{outcome="refused",reason="invalid_secret",service="s"\} 2/);
    expect(body).toMatch(/snaptrack_postbacks_total\{outcome="refused",reason="other",service="s"\} 1/);
    expect(body).not.toContain('a@b.c');
    expect(body).toMatch(/snaptrack_clicks_total\{outcome="recorded",method="redirect",service="s"\} 1/);
    expect(body).toMatch(/snaptrack_deliveries_total\{status="failed",reason="INVALID_TOKEN",service="s"\} 3/);
    expect(body).not.toMatch(/status="sent"/);
    expect(body).toMatch(/snaptrack_snap_request_duration_seconds_count\{service="s",status="200"\} 1/);
    expect(body).toMatch(/snaptrack_snap_batch_size_sum\{service="s"\} 7/);
  });

  it('reads gauges at scrape time and drops them when the read fails', async () => {
    const m = new ServiceMetrics('s');
    let fail = false;
    let n = 4;
    m.gaugeFrom('t_lag', 'lag', ['group', 'partition'], async () => {
      if (fail) throw new Error('down');
      return [{ labels: { group: 'g', partition: '0' }, value: n }];
    });
    expect((await m.render()).body).toMatch(/t_lag\{group="g",partition="0",service="s"\} 4/);
    n = 9;
    expect((await m.render()).body).toMatch(/t_lag\{group="g",partition="0",service="s"\} 9/);
    fail = true;
    expect((await m.render()).body).not.toMatch(/t_lag\{/);
    expect(() => m.gaugeFrom('t_lag', 'again', [], async () => 1)).toThrow(/already registered/);
  });

  it('answers without a gauge whose read hangs (Kafka or the database unreachable)', async () => {
    const m = new ServiceMetrics('s');
    m.gaugeFrom('t_hangs', 'never answers', [], () => new Promise<number>(() => undefined), 50);
    m.gaugeFrom('t_ok', 'answers', [], async () => 3, 50);
    const started = Date.now();
    const { body } = await m.render();
    expect(Date.now() - started).toBeLessThan(1000);
    // prom-client writes "Nan"; Prometheus parses any case of NaN.
    expect(body).toMatch(/^t_hangs\{service="s"\} nan$/im);
    expect(body).toMatch(/^t_ok\{service="s"\} 3$/m);
  });

  it('safeLabel never passes ids, URLs with queries or customer data through', () => {
    expect(safeLabel('duplicate_click')).toBe('duplicate_click');
    expect(safeLabel('/postback')).toBe('/postback');
    expect(safeLabel('/postback?clickid=abc&secret=x')).toBe('other');
    expect(safeLabel('x'.repeat(65))).toBe('other');
    expect(safeLabel(undefined)).toBe('none');
    expect(safeLabel(429)).toBe('429');
  });
});
