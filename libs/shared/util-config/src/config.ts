/**
 * Config declared once per app, validated at boot. One error lists every missing or malformed key.
 * Secrets have no default, are read only from the environment and print as `***`.
 */
export type ConfigFormat = 'string' | 'port' | 'int' | 'url' | 'boolean' | 'list' | 'duration-ms' | 'base64-key';

export interface KeySpec<F extends ConfigFormat = ConfigFormat> {
  env: string;
  doc: string;
  format: F;
  default?: string;
  secret?: boolean;
  optional?: boolean;
}

type ValueOf<F extends ConfigFormat> = F extends 'port' | 'int' | 'duration-ms'
  ? number
  : F extends 'boolean'
    ? boolean
    : F extends 'list'
      ? string[]
      : F extends 'base64-key'
        ? Buffer
        : string;

export type ConfigSpec = Record<string, KeySpec>;
export type ConfigOf<S extends ConfigSpec> = {
  [K in keyof S]: S[K]['optional'] extends true ? ValueOf<S[K]['format']> | undefined : ValueOf<S[K]['format']>;
};

export function defineConfig<S extends ConfigSpec>(spec: S): S {
  for (const [key, k] of Object.entries(spec)) {
    if (k.secret && k.default !== undefined) throw new Error(`config key ${key}: a secret must not have a default`);
  }
  return spec;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function parse(format: ConfigFormat, raw: string): { value?: unknown; problem?: string } {
  switch (format) {
    case 'string':
      return { value: raw };
    case 'port': {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 0 && n <= 65535 ? { value: n } : { problem: 'must be a port number 0-65535' };
    }
    case 'int':
    case 'duration-ms': {
      const n = Number(raw);
      return Number.isInteger(n) && n >= 0 ? { value: n } : { problem: 'must be a non-negative integer' };
    }
    case 'url':
      try {
        new URL(raw);
        return { value: raw.replace(/\/+$/, '') };
      } catch {
        return { problem: 'must be an absolute URL' };
      }
    case 'boolean':
      if (['true', '1', 'yes'].includes(raw.toLowerCase())) return { value: true };
      if (['false', '0', 'no'].includes(raw.toLowerCase())) return { value: false };
      return { problem: 'must be true or false' };
    case 'list':
      return {
        value: raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    case 'base64-key': {
      const buf = Buffer.from(raw, 'base64');
      return buf.length === 32
        ? { value: buf }
        : { problem: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)' };
    }
  }
}

/** Reads and validates every key; throws one ConfigError naming all problems. */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ConfigOf<S>> = {},
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, k] of Object.entries(spec)) {
    if (key in overrides && (overrides as Record<string, unknown>)[key] !== undefined) {
      out[key] = (overrides as Record<string, unknown>)[key];
      continue;
    }
    const raw = env[k.env] ?? k.default;
    if (raw === undefined || raw === '') {
      if (k.optional) continue;
      problems.push(`${k.env} is required (${k.doc})`);
      continue;
    }
    const { value, problem } = parse(k.format, raw);
    if (problem) problems.push(`${k.env} ${problem}${k.secret ? '' : ` (got "${raw}")`}`);
    else out[key] = value;
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** A printable view: secrets become ***. */
export function describeConfig<S extends ConfigSpec>(spec: S, config: ConfigOf<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, k] of Object.entries(spec)) {
    const v = (config as Record<string, unknown>)[key];
    out[k.env] = k.secret ? (v === undefined ? undefined : '***') : Buffer.isBuffer(v) ? '***' : v;
  }
  return out;
}

/**
 * Markdown table rows for READMEs (`| key | meaning | default |`); the root README's tables are generated from these.
 */
export function documentConfig(spec: ConfigSpec): string {
  return Object.values(spec)
    .map((k) => {
      const def = k.secret
        ? '(secret, no default)'
        : k.default !== undefined && k.default !== ''
          ? `\`${k.default}\``
          : k.optional
            ? '(optional)'
            : '(required)';
      return `| \`${k.env}\` | ${k.doc.replace(/\|/g, '\\|')} | ${def} |`;
    })
    .join('\n');
}

/** Common keys every service shares. */
export const commonKeys = {
  logLevel: { env: 'LOG_LEVEL', doc: 'debug | info | warn | error', format: 'string', default: 'info' },
  kafkaBrokers: {
    env: 'KAFKA_BROKERS',
    doc: 'Comma-separated Kafka bootstrap servers',
    format: 'list',
    default: '127.0.0.1:9092',
  },
} as const satisfies ConfigSpec;
