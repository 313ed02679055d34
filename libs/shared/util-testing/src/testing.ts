import { randomBytes } from 'node:crypto';
import { signIdentity } from '@snaptrack/util-federation';
import { dropDatabase, ensureDatabase, withDatabase } from '@snaptrack/util-db';
import { setLogSink } from '@snaptrack/util-logger';

export const PG_BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A fresh database per suite; drop() in afterAll. */
export async function createTestDatabase(service: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = withDatabase(PG_BASE_URL, uniqueName(`${service.replace(/-/g, '_')}_test`));
  await ensureDatabase(url);
  return { url, drop: () => dropDatabase(url) };
}

/** Polls until fn returns a truthy value; never a bare sleep in tests. */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** Captures every log line written through util-logger while active. */
export function captureLogs(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const restore = setLogSink((l) => lines.push(l));
  return { lines, restore };
}

/** A test secret for AES-256-GCM token encryption: "keyId:base64key". */
export const TEST_TOKEN_KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdef';

/** Calls a subgraph as the gateway would: signed identity header for `accountId`. */
export async function gqlAs(
  url: string,
  accountId: string | null,
  query: string,
  variables: Record<string, unknown> = {},
  secret = TEST_INTERNAL_SECRET,
): Promise<{
  status: number;
  data?: any;
  errors?: Array<{ message: string; extensions?: { code?: string; [k: string]: unknown } }>;
}> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (accountId) headers['x-snaptrack-identity'] = signIdentity(accountId, secret);
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: unknown; errors?: [] };
  return { status: res.status, ...body };
}

/** Unique topic prefix per suite. */
export const uniqueTopicPrefix = () => `${uniqueName('t')}.`;
