import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const SCENARIOS = [
  'baseline.http302',
  'baseline.kafka',
  'click.direct',
  'click.tracking',
  'baseline.pg',
  'postback',
  'e2e',
  'backlog',
  'gateway.subgraph',
  'gateway',
];
const SERVICES = [
  'snap-capi-sandbox',
  'config-service',
  'campaign-service',
  'conversion-service',
  'snapchat-capi-dispatcher',
  'account-service',
  'gateway',
  'tracking-proxy',
];

/** Runs `node tools/scripts/bench.js` with the env; resolves with its exit code and output. */
function bench(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'tools/scripts/bench.js')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => done({ code, out }));
  });
}

describe('npm run bench (BENCH_QUICK=1: the harness, not a measurement)', () => {
  let dir: string;
  let run: { code: number | null; out: string };
  let result: any;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snaptrack-bench-'));
    run = await bench({ BENCH_QUICK: '1', BENCH_OUT_DIR: dir });
    const json = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (json) result = JSON.parse(readFileSync(join(dir, json), 'utf8'));
  }, 150000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and writes the JSON with the date and the machine', () => {
    expect({ code: run.code, tail: run.code === 0 ? '' : run.out.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(result.quick).toBe(true);
    expect(Number.isNaN(Date.parse(result.date))).toBe(false);
    expect(result.machine).toMatchObject({ node: process.version });
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.machine.memoryGiB).toBeGreaterThan(0);
  });

  it('has every scenario and baseline, each with non-zero throughput and latency percentiles', () => {
    expect(result.scenarios.map((s: any) => s.key)).toEqual(SCENARIOS);
    for (const s of result.scenarios) {
      expect({ key: s.key, positive: s.rps > 0 }).toEqual({ key: s.key, positive: true });
      expect(s.latency.p50).toBeGreaterThan(0);
      expect(s.latency.p99).toBeGreaterThanOrEqual(s.latency.p95);
      expect(s.latency.p95).toBeGreaterThanOrEqual(s.latency.p50);
    }
  });

  it('shows each platform figure as a ratio to its baselines', () => {
    const byKey = Object.fromEntries(result.scenarios.map((s: any) => [s.key, s]));
    expect(Object.keys(byKey['click.direct'].ratios).sort()).toEqual(['baseline.http302', 'baseline.kafka']);
    expect(Object.keys(byKey.postback.ratios).sort()).toEqual(['baseline.http302', 'baseline.pg']);
    expect(Object.keys(byKey.e2e.ratios)).toEqual(['baseline.kafka']);
    expect(Object.keys(byKey.gateway.ratios)).toEqual(['gateway.subgraph']);
    expect(byKey.postback.ratios['baseline.pg']).toBeCloseTo(byKey.postback.rps / byKey['baseline.pg'].rps, 1);
  });

  it('postbacks are attributed and every end-to-end conversion reached the sandbox once', () => {
    const byKey = Object.fromEntries(result.scenarios.map((s: any) => [s.key, s]));
    expect(byKey.postback.outcomes.accepted).toBe(byKey.postback.ok);
    expect(byKey.postback.ok).toBeGreaterThan(0);
    expect(byKey.e2e.missing).toBe(0);
    expect(byKey.e2e.ok).toBe(byKey.e2e.count);
    expect(result.sandbox.duplicates).toBe(0);
    expect(result.idle.samples).toHaveLength(5);
    expect(result.idle.maxMs).toBeGreaterThanOrEqual(result.idle.medianMs);
    expect(result.idle.medianMs).toBeGreaterThan(0);
  });

  it('drains the backlog: each conversion accepted once, in requests of many events; splits the end to end', () => {
    const byKey = Object.fromEntries(result.scenarios.map((s: any) => [s.key, s]));
    const b = byKey.backlog;
    expect({ missing: b.missing, duplicates: b.duplicates, ok: b.ok }).toEqual({
      missing: 0,
      duplicates: 0,
      ok: result.options.backlogEvents,
    });
    expect(b.requests).toBeGreaterThan(0);
    expect(b.eventsPerRequest).toBeCloseTo(b.ok / b.requests, 1);
    expect(b.ledgerRows).toBe(b.ok);
    expect(Object.keys(byKey.e2e.stages.stages)).toEqual(['postback', 'relay', 'kafka', 'sender']);
    expect(byKey.e2e.stages.events).toBe(byKey.e2e.ok);
  });

  it('reports the RSS of every service and writes the SVG chart', () => {
    expect(Object.keys(result.rss).sort()).toEqual([...SERVICES].sort());
    for (const name of SERVICES) expect(result.rss[name].rssMiB).toBeGreaterThan(10);
    const svg = readdirSync(dir).find((f) => f.endsWith('.svg'));
    expect(svg).toBeDefined();
    const text = readFileSync(join(dir, svg!), 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    for (const s of result.scenarios) expect(text).toContain(s.name);
    expect(run.out).toContain('vs baseline');
  });
});
