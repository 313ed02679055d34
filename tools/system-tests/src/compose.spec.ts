import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const { declaredConfig } = require('../../scripts/config-keys.js');

const ROOT = path.resolve(__dirname, '../../..');
const FILE = path.join(ROOT, 'docker/compose.yml');
const DB_PASSWORDS = Object.fromEntries(
  ['CONFIG', 'CAMPAIGN', 'CONVERSION', 'DISPATCHER', 'ACCOUNT'].map((s) => [`${s}_DB_PASSWORD`, `pw-${s}`]),
);
const ENV = {
  ...process.env,
  INTERNAL_AUTH_SECRET: 'x',
  TOKEN_ENCRYPTION_KEYS: 'y',
  POSTGRES_PASSWORD: 'z',
  GRAFANA_ADMIN_PASSWORD: 'g',
  ...DB_PASSWORDS,
};

interface Service {
  healthcheck?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string }>;
}
const compose = () => parse(readFileSync(FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
/** Compose services built from apps/<name> (the Node services). */
const appServices = () =>
  Object.entries(compose().services).filter(([name]) => existsSync(path.join(ROOT, 'apps', name, 'src/config.ts')));

/** The keys an app declares, from its built config module (shared key groups in libs declare some of them). */
function declaredKeys(app: string): Map<string, { secret?: boolean; optional?: boolean }> {
  const spec = declaredConfig(app) as Record<string, { env: string; secret?: boolean; optional?: boolean }> | null;
  if (!spec) throw new Error(`apps/${app}/dist/config.js exports no config key declarations (build first)`);
  return new Map(Object.values(spec).map((k) => [k.env, k]));
}

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

  it(
    'runs Kafka, PostgreSQL, the six services, the sandbox, the tracking host, Prometheus and Grafana, each with a ' +
      'health check',
    () => {
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
          'grafana',
          'kafka-1',
          'kafka-2',
          'kafka-3',
          'postgres',
          'prometheus',
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
    },
  );

  it("keeps Kafka's data on its volume (log dirs point at the mounted path)", () => {
    const doc = parse(readFileSync(FILE, 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
    };
    const brokers = Object.keys(doc.services).filter((n) => n.startsWith('kafka-'));
    expect(brokers).toHaveLength(3);
    const volumes = new Set<string>();
    for (const name of brokers) {
      const kafka = doc.services[name];
      const mounted = (kafka.volumes ?? []).map((v) => v.split(':')[1]);
      expect(kafka.environment?.KAFKA_LOG_DIRS).toBeDefined();
      expect(mounted).toContain(kafka.environment?.KAFKA_LOG_DIRS);
      for (const v of kafka.volumes ?? []) volumes.add(v.split(':')[0]);
    }
    expect(volumes.size).toBe(3); // one volume per broker, never shared
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
      // The services behind the tracking host trust exactly nginx; the gateway's proxy (TLS in front of the admin API)
      // is the operator's own and comes from docker/.env.
      const withTrust = Object.entries(doc.services).filter(
        ([name, svc]) => svc.environment?.TRUSTED_PROXIES !== undefined && name !== 'gateway',
      );
      expect(withTrust.map(([name]) => name).sort()).toEqual(['campaign-service', 'conversion-service']);
      for (const [name, svc] of withTrust) expect([name, svc.environment?.TRUSTED_PROXIES]).toEqual([name, nginxIp]);
      expect(doc.services.gateway.environment?.TRUSTED_PROXIES).toBe('${GATEWAY_TRUSTED_PROXIES:-}');

      const nginx = readFileSync(path.join(ROOT, 'docker/nginx/tracking.conf'), 'utf8');
      const xff = [...nginx.matchAll(/^\s*proxy_set_header\s+X-Forwarded-For\s+(\S+);/gim)].map((m) => m[1]);
      expect(xff).toEqual(['$remote_addr']);
      expect(nginx).not.toMatch(/\$proxy_add_x_forwarded_for/);
    },
  );

  it('gives each service a database role of its own (never the superuser), created by docker/postgres/init', () => {
    const doc = compose();
    const script = readFileSync(path.join(ROOT, 'docker/postgres/init/01-roles-and-databases.sh'), 'utf8');
    const created = [...script.matchAll(/^setup (\w+) "\$\{(\w+):-\}"$/gm)].map((m) => ({ name: m[1], pw: m[2] }));
    const withDb = appServices().filter(([, svc]) => svc.environment?.DATABASE_URL !== undefined);
    expect(withDb.map(([name]) => name).sort()).toEqual([
      'account-service',
      'campaign-service',
      'config-service',
      'conversion-service',
      'snapchat-capi-dispatcher',
    ]);
    const users = new Set<string>();
    for (const [name, svc] of withDb) {
      // postgres://<role>:${<ROLE>_DB_PASSWORD}@postgres:5432/<database>
      const m = /^postgres:\/\/([a-z_]+):\$\{([A-Z_]+)\}@postgres:5432\/([a-z_]+)$/.exec(svc.environment!.DATABASE_URL);
      expect([name, m !== null]).toEqual([name, true]);
      const [, user, pwVar, db] = m!;
      expect([name, user]).toEqual([name, db]); // the role owns the database of the same name
      expect(user).not.toBe('postgres');
      users.add(user);
      const entry = created.find((c) => `snaptrack_${c.name}` === user);
      expect([name, entry?.pw]).toEqual([name, pwVar]);
      expect(doc.services.postgres.environment?.[pwVar]).toBe(`\${${pwVar}:?set ${pwVar} in docker/.env}`);
    }
    expect(users.size).toBe(withDb.length);
    expect(script).toMatch(/NOSUPERUSER NOCREATEDB NOCREATEROLE/);
    expect(script).toMatch(/REVOKE ALL ON DATABASE %I FROM PUBLIC/);
    // No service sees the superuser password.
    for (const [name, svc] of appServices())
      expect([name, JSON.stringify(svc.environment ?? {})]).not.toEqual([
        name,
        expect.stringContaining('POSTGRES_PASSWORD'),
      ]);
  });

  it('gives each service only the secrets its config declares (token keys: config-service, dispatcher)', () => {
    const secrets = ['INTERNAL_AUTH_SECRET', 'TOKEN_ENCRYPTION_KEYS', 'ADMIN_API_KEY', 'POSTGRES_PASSWORD'];
    for (const [name, svc] of appServices()) {
      const declared = declaredKeys(name);
      for (const key of secrets.filter((k) => svc.environment?.[k] !== undefined))
        expect([name, key, declared.has(key)]).toEqual([name, key, true]);
      // and every secret the service requires is there (a required secret is not optional)
      for (const [env, k] of declared)
        if (k.secret && !k.optional)
          expect([name, env, svc.environment?.[env] !== undefined]).toEqual([name, env, true]);
    }
    const withKeys = appServices()
      .filter(([, svc]) => svc.environment?.TOKEN_ENCRYPTION_KEYS !== undefined)
      .map(([name]) => name);
    expect(withKeys.sort()).toEqual(['config-service', 'snapchat-capi-dispatcher']);
  });

  it('runs three Kafka brokers; topics are created with replication factor 3 and min.insync.replicas 2', () => {
    const doc = compose();
    const brokers = Object.keys(doc.services).filter((n) => n.startsWith('kafka-'));
    for (const name of brokers) {
      const env = doc.services[name].environment!;
      expect(String(env.KAFKA_CONTROLLER_QUORUM_VOTERS).split(',')).toHaveLength(brokers.length);
      expect([name, String(env.KAFKA_DEFAULT_REPLICATION_FACTOR), String(env.KAFKA_MIN_INSYNC_REPLICAS)]).toEqual([
        name,
        '3',
        '2',
      ]);
      expect(String(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR)).toBe('3');
      expect(String(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR)).toBe('2');
      expect(String(env.KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE)).toBe('false');
    }
    const producers = appServices().filter(([, svc]) => svc.environment?.KAFKA_REPLICATION_FACTOR !== undefined);
    expect(producers.length).toBeGreaterThanOrEqual(4);
    for (const [name, svc] of producers) {
      const env = svc.environment!;
      expect([name, env.KAFKA_REPLICATION_FACTOR, env.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([name, '3', '2']);
      expect(Number(env.KAFKA_REPLICATION_FACTOR)).toBeLessThanOrEqual(brokers.length);
      expect(env.KAFKA_BROKERS.split(',').sort()).toEqual(brokers.map((b) => `${b}:9092`).sort());
      expect(Number(env.KAFKA_DEAD_LETTER_RETENTION_MS)).toBeLessThanOrEqual(7 * 24 * 3600 * 1000);
    }
    // every service that creates topics at start gets the settings (they read KAFKA_REPLICATION_FACTOR)
    for (const [name, svc] of appServices()) {
      const declared = readFileSync(path.join(ROOT, 'apps', name, 'src/config.ts'), 'utf8');
      if (declared.includes('kafkaTopicKeys'))
        expect([name, svc.environment?.KAFKA_REPLICATION_FACTOR]).toEqual([name, '3']);
    }
  });

  it('builds the images on a supported Node LTS (22 or 24)', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:(22|24)[.-]/);
  });

  it('gives /postback and /conversions (server-to-server, with a secret) their own, much higher nginx limit', () => {
    const http = readFileSync(path.join(ROOT, 'docker/nginx/nginx.conf'), 'utf8');
    const zones = Object.fromEntries(
      [...http.matchAll(/limit_req_zone\s+\S+\s+zone=(\w+):\S+\s+rate=(\d+)r\/s;/g)].map((m) => [m[1], Number(m[2])]),
    );
    const conf = readFileSync(path.join(ROOT, 'docker/nginx/tracking.conf'), 'utf8');
    const serverZone = /^\s{2}limit_req zone=(\w+)/m.exec(conf)![1];
    for (const loc of ['/postback', '/conversions']) {
      const line = conf.split('\n').find((l) => l.includes(`location = ${loc} `))!;
      const zone = /limit_req zone=(\w+) burst=(\d+)/.exec(line);
      expect([loc, zone?.[1] !== undefined && zone[1] !== serverZone]).toEqual([loc, true]);
      expect(zones[zone![1]]).toBeGreaterThanOrEqual(10 * zones[serverZone]);
    }
    // the browser-facing routes keep the per-IP zone
    expect(conf.split('\n').find((l) => l.includes('location = /click '))).not.toMatch(/limit_req/);
    expect(conf).toMatch(/include \/etc\/nginx\/tls\/\*\.conf;/);
  });
});
