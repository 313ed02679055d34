import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../../..');
const FILE = path.join(ROOT, 'docker/compose.yml');
const ENV = { ...process.env, INTERNAL_AUTH_SECRET: 'x', TOKEN_ENCRYPTION_KEYS: 'y', POSTGRES_PASSWORD: 'z' };

function composeCli(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  return null;
}

describe('docker/compose.yml', () => {
  const cli = composeCli();

  it('is valid for the docker compose CLI (when one is installed)', () => {
    if (!cli) {
      // docker present without compose would be a setup bug
      expect(spawnSync('docker', ['--version'], { stdio: 'ignore' }).status).not.toBe(0);
      return;
    }
    execFileSync(cli[0], [...cli.slice(1), '-p', 'snaptrack', '-f', FILE, 'config', '-q'], { env: ENV, stdio: 'pipe' });
  });

  it('refuses to render without the required secrets', () => {
    if (!cli) return;
    const r = spawnSync(cli[0], [...cli.slice(1), '-p', 'snaptrack', '-f', FILE, 'config', '-q'], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/INTERNAL_AUTH_SECRET|POSTGRES_PASSWORD|TOKEN_ENCRYPTION_KEYS/);
  });

  it('runs Kafka, PostgreSQL, the six services, the sandbox and the tracking host, each with a health check', () => {
    const doc = parse(readFileSync(FILE, 'utf8'), { merge: true }) as {
      services: Record<string, { healthcheck?: unknown; environment?: Record<string, string> }>;
    };
    const names = Object.keys(doc.services).sort();
    expect(names).toEqual(
      [
        'account-service',
        'campaign-service',
        'config-service',
        'conversion-service',
        'gateway',
        'kafka',
        'postgres',
        'snap-capi-sandbox',
        'snapchat-capi-dispatcher',
        'tracking',
      ].sort(),
    );
    for (const [name, svc] of Object.entries(doc.services))
      expect([name, Boolean(svc.healthcheck)]).toEqual([name, true]);
    expect(doc.services['snapchat-capi-dispatcher'].environment?.SNAP_CAPI_BASE_URL).toBeDefined();
    // The gateway is stateless: it reaches account-service for keys and has no database of its own.
    expect(doc.services.gateway.environment?.ACCOUNT_SERVICE_URL).toBe('http://account-service:4005/graphql');
    expect(doc.services.gateway.environment?.DATABASE_URL).toBeUndefined();
    expect(doc.services['account-service'].environment?.DATABASE_URL).toMatch(/\/snaptrack_account$/);
  });

  it("keeps Kafka's data on its volume (log dirs point at the mounted path)", () => {
    const doc = parse(readFileSync(FILE, 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
    };
    const kafka = doc.services.kafka;
    const mounted = (kafka.volumes ?? []).map((v) => v.split(':')[1]);
    expect(kafka.environment?.KAFKA_LOG_DIRS).toBeDefined();
    expect(mounted).toContain(kafka.environment?.KAFKA_LOG_DIRS);
  });

  it(
    'trusts X-Forwarded-For only from the nginx tracking host, at its fixed address, and nginx sets ' +
      '(not appends) it',
    () => {
      const doc = parse(readFileSync(FILE, 'utf8'), { merge: true }) as {
        services: Record<
          string,
          { environment?: Record<string, string>; networks?: Record<string, { ipv4_address?: string }> }
        >;
        networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }>;
      };
      const nginxIp = doc.services.tracking.networks?.default?.ipv4_address;
      expect(nginxIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const subnet = doc.networks?.default?.ipam?.config?.[0]?.subnet ?? '';
      const [net, bits] = subnet.split('/');
      const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
      const mask = Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0;
      expect((toInt(nginxIp!) & mask) >>> 0 === (toInt(net) & mask) >>> 0).toBe(true);
      const withTrust = Object.entries(doc.services).filter(
        ([, svc]) => svc.environment?.TRUSTED_PROXIES !== undefined,
      );
      expect(withTrust.map(([name]) => name)).toContain('campaign-service');
      for (const [name, svc] of withTrust) expect([name, svc.environment?.TRUSTED_PROXIES]).toEqual([name, nginxIp]);

      const nginx = readFileSync(path.join(ROOT, 'docker/nginx/tracking.conf'), 'utf8');
      const xff = [...nginx.matchAll(/^\s*proxy_set_header\s+X-Forwarded-For\s+(\S+);/gim)].map((m) => m[1]);
      expect(xff).toEqual(['$remote_addr']);
      expect(nginx).not.toMatch(/\$proxy_add_x_forwarded_for/);
    },
  );
});
