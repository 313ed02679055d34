import { ConfigError, defineConfig, describeConfig, documentConfig, loadConfig } from './config';

const spec = defineConfig({
  port: { env: 'PORT', doc: 'HTTP port', format: 'port', default: '4001' },
  db: { env: 'DATABASE_URL', doc: 'Postgres URL', format: 'url' },
  token: { env: 'SECRET_TOKEN', doc: 'a secret', format: 'string', secret: true },
  flag: { env: 'FLAG', doc: 'a flag', format: 'boolean', default: 'false' },
  key: { env: 'KEY', doc: 'key', format: 'base64-key', optional: true },
});

describe('loadConfig', () => {
  it('parses formats and applies defaults', () => {
    const c = loadConfig(spec, { DATABASE_URL: 'postgres://x/y/', SECRET_TOKEN: 's3cret' });
    expect(c).toEqual({ port: 4001, db: 'postgres://x/y', token: 's3cret', flag: false });
  });

  it('lists every bad key in one error and never prints a secret', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig(spec, { PORT: '99999', DATABASE_URL: 'nope', FLAG: 'maybe', KEY: 'c2hvcnQ=' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toHaveLength(5);
    expect(err!.message).toContain('PORT must be a port number');
    expect(err!.message).toContain('DATABASE_URL must be an absolute URL');
    expect(err!.message).toContain('SECRET_TOKEN is required');
    expect(err!.message).toContain('KEY must be 32 bytes');
  });

  it('rejects a default on a secret', () => {
    expect(() => defineConfig({ s: { env: 'S', doc: '', format: 'string', secret: true, default: 'x' } })).toThrow(
      /secret/,
    );
  });

  it('describes secrets as ***', () => {
    const c = loadConfig(spec, { DATABASE_URL: 'postgres://x/y', SECRET_TOKEN: 's3cret' });
    expect(JSON.stringify(describeConfig(spec, c))).not.toContain('s3cret');
  });
});

describe('documentConfig', () => {
  it('renders one Markdown row per key: secrets, defaults, optional and required, with | escaped', () => {
    const rows = documentConfig(
      defineConfig({
        a: { env: 'A', doc: 'debug | info', format: 'string', default: 'info' },
        b: { env: 'B', doc: 'secret', format: 'string', secret: true },
        c: { env: 'C', doc: 'prefix', format: 'string', default: '', optional: true },
        d: { env: 'D', doc: 'url', format: 'url' },
      }),
    ).split('\n');
    expect(rows).toEqual([
      '| `A` | debug \\| info | `info` |',
      '| `B` | secret | (secret, no default) |',
      '| `C` | prefix | (optional) |',
      '| `D` | url | (required) |',
    ]);
  });
});
