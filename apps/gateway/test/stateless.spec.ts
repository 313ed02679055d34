import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The gateway is a stateless router (accounts and API keys live in account-service): nothing it loads — its own
 * sources or the @snaptrack libraries they pull in, followed transitively — may import TypeORM, pg or util-db, and it
 * has no data source, migrations or entities.
 */
const ROOT = path.resolve(__dirname, '../../..');
const GATEWAY = path.join(ROOT, 'apps/gateway');
const FORBIDDEN = ['typeorm', 'pg', '@snaptrack/util-db', '@snaptrack/data-access-outbox'];

function libSources(): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of ['libs/shared', 'libs/contracts']) {
    for (const name of readdirSync(path.join(ROOT, group))) {
      const pkg = path.join(ROOT, group, name, 'package.json');
      if (existsSync(pkg))
        map.set(JSON.parse(readFileSync(pkg, 'utf8')).name, path.join(ROOT, group, name, 'src/index.ts'));
    }
  }
  return map;
}

function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\s+'([^']+)'|require\('([^']+)'\)/g))
    out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function resolveTs(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return null;
}

/** Every package the gateway's runtime code imports, with the file that imports it. */
function runtimeImports(): Map<string, string> {
  const libs = libSources();
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [path.join(GATEWAY, 'src/main.ts')];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) {
        const next = resolveTs(file, spec);
        if (next) queue.push(next);
        continue;
      }
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (!packages.has(pkg)) packages.set(pkg, path.relative(ROOT, file));
      const lib = libs.get(pkg);
      if (lib) queue.push(lib);
    }
  }
  return packages;
}

describe('the gateway is stateless', () => {
  it('imports no TypeORM, pg or database library, directly or through the libraries it uses', () => {
    const imports = runtimeImports();
    expect(imports.has('@snaptrack/util-federation')).toBe(true); // the walk does follow the libraries
    expect(imports.has('@apollo/gateway')).toBe(true);
    const offending = FORBIDDEN.filter((p) => imports.has(p)).map((p) => `${p} (from ${imports.get(p)})`);
    expect(offending).toEqual([]);
  });

  it('has no data source, migrations, entities or CLI, and no database in its config or tsconfig', () => {
    for (const gone of ['src/data-source.ts', 'src/migrations', 'src/account', 'src/accounts-subgraph', 'src/cli.ts'])
      expect([gone, existsSync(path.join(GATEWAY, gone))]).toEqual([gone, false]);
    const sources = readdirSync(path.join(GATEWAY, 'src'), { recursive: true }) as string[];
    for (const f of sources.filter((s) => s.endsWith('.ts')))
      expect([
        f,
        /@Entity\(|DATABASE_URL|MigrationInterface/.test(readFileSync(path.join(GATEWAY, 'src', f), 'utf8')),
      ]).toEqual([f, false]);
    const tsconfig = readFileSync(path.join(GATEWAY, 'tsconfig.json'), 'utf8');
    expect(tsconfig).not.toMatch(/util-db|data-access/);
  });
});
