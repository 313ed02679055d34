// startSandbox(): wires the store, pixel registry and fault queue into a node:http server and returns a handle
// that tests drive in-process (the same operations the /__admin routes expose).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue, type Fault, type FaultSpec } from './faults';
import { PixelRegistry } from './pixels';
import { createRequestHandler, type LogEntry, type SandboxContext } from './server';
import { SandboxStore } from './store';
import { DEFAULT_LIMITS, type ValidationLimits } from './validate';

export interface SandboxOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Pixels known at start-up: pixel id (UUID) -> access token. */
  pixels?: Record<string, string>;
  /** true: requests for unregistered pixels get 404. false (default): the first token seen is pinned to the pixel. */
  strictPixels?: boolean;
  /** Largest accepted request body in bytes; default 1 MiB (1,048,576). */
  maxBodyBytes?: number;
  /** Overrides of the event limits (2000 events, 37 days old, 5 minutes ahead). */
  limits?: Partial<ValidationLimits>;
  /** Clock in epoch ms; tests may pin it. Default Date.now. */
  now?: () => number;
  /** Receives structured log entries (never a token or a query string). Default: discard. */
  log?: (entry: LogEntry) => void;
}

export interface Sandbox {
  /** Base URL to use as SNAP_CAPI_BASE_URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  port: number;
  host: string;
  store: SandboxStore;
  faults: FaultQueue;
  pixels: PixelRegistry;
  /** Queues a fault rule (same JSON as POST /__admin/faults). Throws on an invalid spec. */
  addFault(spec: FaultSpec): Fault;
  clearFaults(): number;
  /** Registers or replaces a pixel's token (same as PUT /__admin/pixels/{pixelId}). */
  registerPixel(pixelId: string, accessToken: string): void;
  /** Clears events, test log, counters, faults and pinned pixels; with `pixels: true`, also admin-registered pixels. */
  reset(options?: { pixels?: boolean }): void;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const store = new SandboxStore();
  const faults = new FaultQueue();
  // Throws on a start-up pixel that is not a UUID or has an empty token.
  const pixels = new PixelRegistry({ ...options.pixels }, options.strictPixels ?? false);

  const timers = new Set<NodeJS.Timeout>();
  const reset = (opts: { pixels?: boolean } = {}) => {
    store.reset();
    faults.clear();
    pixels.reset(opts.pixels === true);
  };
  const ctx: SandboxContext = {
    store,
    faults,
    pixels,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    now: options.now ?? Date.now,
    log: options.log ?? (() => undefined),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
    reset,
  };

  const server = createServer(createRequestHandler(ctx));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    store,
    faults,
    pixels,
    addFault: (spec) => faults.add(spec),
    clearFaults: () => faults.clear(),
    registerPixel: (pixelId, accessToken) => pixels.register(pixelId, accessToken, 'admin'),
    reset,
    stop: () => {
      stopped ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
