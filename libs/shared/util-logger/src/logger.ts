/**
 * Structured JSON logger (one line per record) with redaction. Keys that name secrets or raw customer data are
 * replaced by "[redacted]" at any depth, and `access_token=…` inside any string is scrubbed.
 */
import { trace } from '@opentelemetry/api';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const REDACT_KEYS = new Set(
  [
    'access_token',
    'accesstoken',
    'token',
    'authorization',
    'password',
    'secret',
    'api_key',
    'apikey',
    'cookie',
    'email',
    'em',
    'phone',
    'ph',
    'first_name',
    'firstname',
    'fn',
    'last_name',
    'lastname',
    'ln',
    'zip',
    'zp',
    'city',
    'ct',
    'state',
    'st',
    'external_id',
    'name_raw',
  ].map((k) => k.toLowerCase()),
);

const TOKEN_IN_STRING = /(access_token|token|api_key|key)=([^&\s"']+)/gi;
const BEARER = /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export function scrub(value: string): string {
  return value.replace(TOKEN_IN_STRING, '$1=[redacted]').replace(BEARER, '$1[redacted]');
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return scrub(value);
  if (value instanceof Error) {
    return { name: value.name, message: scrub(value.message), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = REDACT_KEYS.has(k.toLowerCase()) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

export type Sink = (line: string) => void;
let globalSink: Sink = (line) => process.stdout.write(line + '\n');

/** Tests capture every log line through this. Returns a restore function. */
export function setLogSink(sink: Sink): () => void {
  const prev = globalSink;
  globalSink = sink;
  return () => {
    globalSink = prev;
  };
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(
  service: string,
  level: string = process.env.LOG_LEVEL ?? 'info',
  base: Record<string, unknown> = {},
): Logger {
  const min = LEVELS[level as Level] ?? LEVELS.info;
  const write = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    // The active span's ids (OpenTelemetry, util-observability), so a log line leads to its trace.
    const sc = trace.getActiveSpan()?.spanContext();
    const ids = sc && trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : undefined;
    const record = {
      time: new Date().toISOString(),
      level: lvl,
      service,
      msg: scrub(msg),
      ...ids,
      ...(redact({ ...base, ...fields }) as object),
    };
    globalSink(JSON.stringify(record));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(service, level, { ...base, ...fields }),
  };
}
