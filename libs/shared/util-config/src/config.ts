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

/**
 * Reads and validates every key; throws one ConfigError naming all problems. `check` adds the service's own rules
 * across keys (ranges, formats of a value): its problems, if any, are thrown as one ConfigError once every key parsed.
 */
export function loadConfig<S extends ConfigSpec>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ConfigOf<S>> = {},
  check?: (config: ConfigOf<S>) => string[],
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
  const checked = check?.(out as ConfigOf<S>) ?? [];
  if (checked.length) throw new ConfigError(checked);
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

/** Keys of every service that owns a database: when its migrations run. */
export const migrationKeys = {
  runMigrations: {
    env: 'RUN_MIGRATIONS',
    doc:
      'Apply pending database migrations at start; false when a deploy step runs them once beforehand ' +
      '(MIGRATE_ONLY=true), so instances of a rolling upgrade never race on them',
    format: 'boolean',
    default: 'true',
  },
  migrateOnly: {
    env: 'MIGRATE_ONLY',
    doc: 'Create the database if missing, apply pending migrations and exit (the deploy step; starts nothing else)',
    format: 'boolean',
    default: 'false',
  },
} as const satisfies ConfigSpec;

const DAY_MS = 24 * 3600 * 1000;

/**
 * Keys of every service that creates the Kafka topics at start (each creates the missing ones, with these settings).
 * They apply when a topic is created; an existing topic is changed with kafka-topics.sh / kafka-configs.sh (see
 * docs/deployment.md).
 */
export const kafkaTopicKeys = {
  kafkaReplicationFactor: {
    env: 'KAFKA_REPLICATION_FACTOR',
    doc: 'Replication factor of the topics the service creates (1 for a single local broker; 3 in production)',
    format: 'int',
    default: '1',
  },
  kafkaMinInsyncReplicas: {
    env: 'KAFKA_MIN_INSYNC_REPLICAS',
    doc:
      'min.insync.replicas of the topics the service creates; producers send with acks=all, so a write needs ' +
      'this many replicas (1 locally; 2 with replication factor 3)',
    format: 'int',
    default: '1',
  },
  kafkaTopicPartitions: {
    env: 'KAFKA_TOPIC_PARTITIONS',
    doc:
      'Partition counts overriding the defaults, "topic=count" comma-separated with names without prefix ' +
      '(e.g. click.recorded.v1=12,conversion.created.v1=12)',
    format: 'list',
    default: '',
    optional: true,
  },
  kafkaDeliveryResultRetentionMs: {
    env: 'KAFKA_DELIVERY_RESULT_RETENTION_MS',
    doc: 'retention.ms of delivery.result.v1',
    format: 'duration-ms',
    default: String(14 * DAY_MS),
  },
  kafkaDeliveryCommandRetentionMs: {
    env: 'KAFKA_DELIVERY_COMMAND_RETENTION_MS',
    doc: 'retention.ms of delivery.command.v1',
    format: 'duration-ms',
    default: String(7 * DAY_MS),
  },
  kafkaDeadLetterRetentionMs: {
    env: 'KAFKA_DEAD_LETTER_RETENTION_MS',
    doc: 'retention.ms of dead-letter.v1 (parked messages can hold customer data: keep it short)',
    format: 'duration-ms',
    default: String(3 * DAY_MS),
  },
} as const satisfies ConfigSpec;
