import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { METRIC_NAMES } from '@snaptrack/util-observability';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const KNOWN = new Set<string>(Object.values(METRIC_NAMES));
/** The Snaptrack metric families an expression uses (histogram series suffixes removed). */
const metricsIn = (expr: string) =>
  [...expr.matchAll(/\bsnaptrack_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, ''));

describe('Prometheus and Grafana provisioning (docker/)', () => {
  it("every Grafana panel queries metrics the code exposes, and the dashboard covers the operators' questions", () => {
    const dashboard = JSON.parse(read('docker/grafana/dashboards/snaptrack.json'));
    expect(dashboard.panels.length).toBeGreaterThan(0);
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      expect([panel.title, panel.targets?.length > 0]).toEqual([panel.title, true]);
      for (const t of panel.targets) {
        const names = metricsIn(t.expr);
        expect([panel.title, names.length > 0]).toEqual([panel.title, true]);
        for (const n of names) {
          expect([panel.title, n, KNOWN.has(n)]).toEqual([panel.title, n, true]);
          used.add(n);
        }
      }
      expect(panel.datasource.uid).toBe('prometheus');
    }
    // clicks/s, postbacks/s, delivery outcomes, consumer lag, outbox age, Snap latency and errors
    for (const n of [
      METRIC_NAMES.clicks,
      METRIC_NAMES.postbacks,
      METRIC_NAMES.deliveries,
      METRIC_NAMES.kafkaConsumerLag,
      METRIC_NAMES.outboxOldestAge,
      METRIC_NAMES.snapRequestDuration,
    ])
      expect([n, used.has(n)]).toEqual([n, true]);
    const datasources = parse(read('docker/grafana/provisioning/datasources/prometheus.yml'));
    expect(datasources.datasources[0]).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
  });

  it('Prometheus scrapes every Node service of compose on its port, and its alert rules use known metrics', () => {
    const compose = parse(read('docker/compose.yml'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
    };
    const apps = Object.entries(compose.services).filter(([name]) =>
      existsSync(path.join(ROOT, 'apps', name, 'src/config.ts')),
    );
    const targets = new Set(
      parse(read('docker/prometheus/prometheus.yml')).scrape_configs.flatMap((c: any) =>
        c.static_configs.flatMap((s: any) => s.targets),
      ),
    );
    expect(apps.length).toBe(6);
    for (const [name, svc] of apps) {
      const target = `${name}:${svc.environment?.PORT}`;
      expect([name, targets.has(target)]).toEqual([name, true]);
    }
    expect(targets.size).toBe(apps.length);
    const mounted = (compose.services.prometheus.volumes ?? []).map((v) => v.split(':')[0]);
    expect(mounted).toEqual(expect.arrayContaining(['./prometheus/prometheus.yml', './prometheus/alerts.yml']));

    const rules = parse(read('docker/prometheus/alerts.yml')).groups.flatMap((g: any) => g.rules);
    expect(rules.map((r: any) => r.alert)).toEqual(
      expect.arrayContaining(['SnaptrackConsumerLag', 'SnaptrackOutboxStuck', 'SnaptrackDeliveryFailures']),
    );
    for (const r of rules)
      for (const n of metricsIn(r.expr)) expect([r.alert, n, KNOWN.has(n)]).toEqual([r.alert, n, true]);
  });
});
