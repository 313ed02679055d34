// Fault injection: a FIFO queue of rules, each answering the next `count` matching /v3 requests with a chosen
// status, a delay, or a dropped connection. A rule matches one pixel (or any) and one endpoint (send by default).

import { canonicalPixelId, isPixelId } from './pixels';

/** `send` = POST /events, `validate` = POST /events/validate, `any` = every /v3 route (logs and stats too). */
export type FaultEndpoint = 'send' | 'validate' | 'any';
export type SandboxEndpoint = 'send' | 'validate' | 'logs' | 'stats';

/** The JSON accepted by POST /__admin/faults and by `addFault()`. */
export interface FaultSpec {
  pixel_id?: string;
  endpoint?: FaultEndpoint;
  /** HTTP status to answer with (e.g. 500, 503, 429). */
  status?: number;
  /** How many matching requests the rule answers; default 1. */
  count?: number;
  /** Adds `Retry-After: <n>` to the faulted response. */
  retry_after_s?: number;
  /** Waits before answering. Alone, it only slows the normal answer down. */
  delay_ms?: number;
  /** Destroys the socket without answering. */
  drop_connection?: boolean;
  /** Process (validate and store) the request first, then fail: "the request landed but the answer was lost". */
  after_processing?: boolean;
  /** Response body to send with `status`; default a Snap-shaped body. */
  body?: unknown;
  /** Raw response text sent instead of a JSON body (e.g. an HTML error page or a plain "OK"). */
  raw_body?: string;
  /** Extra response headers, e.g. `{"retry-after": "<HTTP date>"}` or `{"location": "http://…"}`. */
  headers?: Record<string, string>;
  /**
   * Per-event refusal inside a 2xx (POST /events): a batch that passes validation has the events with these
   * `event_id`s refused and the others stored, and the answer is HTTP 200 with one verdict per event (`event_logs`).
   */
  refuse_event_ids?: string[];
}

export interface Fault {
  id: number;
  pixel_id?: string;
  endpoint: FaultEndpoint;
  status?: number;
  retry_after_s?: number;
  delay_ms: number;
  drop_connection: boolean;
  after_processing: boolean;
  body?: unknown;
  raw_body?: string;
  headers?: Record<string, string>;
  refuse_event_ids?: string[];
  remaining: number;
}

export type FaultSpecResult = { ok: true; spec: FaultSpec } | { ok: false; errors: string[] };

const MAX_COUNT = 100_000;
const MAX_DELAY_MS = 600_000;

function isInt(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** Checks an untrusted fault spec (admin API input). */
export function parseFaultSpec(input: unknown): FaultSpecResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['a fault must be a JSON object'] };
  }
  const spec = input as Record<string, unknown>;
  const errors: string[] = [];
  const known = [
    'pixel_id',
    'endpoint',
    'status',
    'count',
    'retry_after_s',
    'delay_ms',
    'drop_connection',
    'after_processing',
    'body',
    'raw_body',
    'headers',
    'refuse_event_ids',
  ];
  for (const key of Object.keys(spec)) if (!known.includes(key)) errors.push(`unknown fault field "${key}"`);

  if (spec['pixel_id'] !== undefined && !isPixelId(spec['pixel_id'])) errors.push('pixel_id must be a UUID pixel id');
  if (spec['endpoint'] !== undefined && !['send', 'validate', 'any'].includes(spec['endpoint'] as string)) {
    errors.push('endpoint must be "send", "validate" or "any"');
  }
  if (spec['status'] !== undefined && !isInt(spec['status'], 200, 599))
    errors.push('status must be an HTTP status code (200-599)');
  if (spec['count'] !== undefined && !isInt(spec['count'], 1, MAX_COUNT))
    errors.push(`count must be an integer from 1 to ${MAX_COUNT}`);
  if (spec['retry_after_s'] !== undefined && !isInt(spec['retry_after_s'], 0, 86_400)) {
    errors.push('retry_after_s must be an integer number of seconds (0-86400)');
  }
  if (spec['delay_ms'] !== undefined && !isInt(spec['delay_ms'], 0, MAX_DELAY_MS)) {
    errors.push(`delay_ms must be an integer from 0 to ${MAX_DELAY_MS}`);
  }
  for (const flag of ['drop_connection', 'after_processing']) {
    if (spec[flag] !== undefined && typeof spec[flag] !== 'boolean') errors.push(`${flag} must be a boolean`);
  }
  const drop = spec['drop_connection'] === true;
  const hasStatus = spec['status'] !== undefined;
  const refuse = spec['refuse_event_ids'];
  if (refuse !== undefined) {
    if (!Array.isArray(refuse) || refuse.length === 0 || !refuse.every((id) => typeof id === 'string' && id !== ''))
      errors.push('refuse_event_ids must be a non-empty array of event ids');
    if (hasStatus || drop || spec['after_processing'] !== undefined)
      errors.push('refuse_event_ids answers 200 itself: use it without status, drop_connection or after_processing');
  }
  if (drop && hasStatus) errors.push('use either status or drop_connection, not both');
  if (!drop && !hasStatus && spec['delay_ms'] === undefined && refuse === undefined)
    errors.push('a fault needs status, drop_connection or delay_ms (or refuse_event_ids)');
  if (spec['body'] !== undefined && !hasStatus) errors.push('body is only used together with status');
  if (spec['raw_body'] !== undefined && typeof spec['raw_body'] !== 'string') errors.push('raw_body must be a string');
  if (spec['raw_body'] !== undefined && !hasStatus) errors.push('raw_body is only used together with status');
  if (spec['raw_body'] !== undefined && spec['body'] !== undefined)
    errors.push('use either body or raw_body, not both');
  const headers = spec['headers'];
  if (headers !== undefined) {
    const valid =
      typeof headers === 'object' &&
      headers !== null &&
      !Array.isArray(headers) &&
      Object.entries(headers).every(
        ([k, v]) => /^[A-Za-z0-9-]+$/.test(k) && typeof v === 'string' && !/[\r\n]/.test(v),
      );
    if (!valid) errors.push('headers must be an object of header names to string values');
    if (!hasStatus) errors.push('headers are only used together with status');
  }
  if (spec['retry_after_s'] !== undefined && !hasStatus) errors.push('retry_after_s is only used together with status');
  if (spec['after_processing'] === true && !drop && !hasStatus)
    errors.push('after_processing needs status or drop_connection');

  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: spec as FaultSpec };
}

export class FaultQueue {
  private faults: Fault[] = [];
  private nextId = 1;

  /** Adds a rule at the end of the queue. Throws on an invalid spec. */
  add(input: FaultSpec): Fault {
    const parsed = parseFaultSpec(input);
    if (!parsed.ok) throw new Error(`invalid fault: ${parsed.errors.join('; ')}`);
    const spec = parsed.spec;
    const fault: Fault = {
      id: this.nextId++,
      ...(spec.pixel_id !== undefined ? { pixel_id: canonicalPixelId(spec.pixel_id) } : {}),
      endpoint: spec.endpoint ?? 'send',
      ...(spec.status !== undefined ? { status: spec.status } : {}),
      ...(spec.retry_after_s !== undefined ? { retry_after_s: spec.retry_after_s } : {}),
      delay_ms: spec.delay_ms ?? 0,
      drop_connection: spec.drop_connection ?? false,
      after_processing: spec.after_processing ?? false,
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      ...(spec.raw_body !== undefined ? { raw_body: spec.raw_body } : {}),
      ...(spec.headers !== undefined ? { headers: { ...spec.headers } } : {}),
      ...(spec.refuse_event_ids !== undefined ? { refuse_event_ids: [...spec.refuse_event_ids] } : {}),
      remaining: spec.count ?? 1,
    };
    this.faults.push(fault);
    return { ...fault };
  }

  /** Consumes one use of the first rule matching this request, if any. */
  take(pixelId: string, endpoint: SandboxEndpoint): Fault | undefined {
    const pixel = canonicalPixelId(pixelId);
    const index = this.faults.findIndex(
      (fault) =>
        (fault.pixel_id === undefined || fault.pixel_id === pixel) &&
        (fault.endpoint === 'any' || fault.endpoint === endpoint),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): number {
    const n = this.faults.length;
    this.faults = [];
    return n;
  }
}
