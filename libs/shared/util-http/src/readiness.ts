/**
 * Readiness: one answer for /readyz built from named checks (database, kafka, config view, …). Each check has a
 * timeout (a hung dependency answers "not ready", never a hung probe) and a short cache (a balancer polling every
 * instance often does not turn into a query per poll); concurrent probes share one run. `drain()` (the first step of
 * a service's stop()) makes every later answer "not ready" with `shutting_down`, so a balancer stops sending work
 * before the server stops accepting it.
 */
export interface Probe {
  name: string;
  /** Resolves true when ready; false or a rejection means not ready. */
  check: () => Promise<boolean>;
  /** A check that takes longer counts as not ready (default 2000 ms). */
  timeoutMs?: number;
  /** How long an answer is reused (default 1000 ms; 0: every probe runs the check). */
  cacheMs?: number;
  /**
   * Reported in the body but does not make the service unready (default true). For a dependency the service works
   * without for a while, e.g. Kafka behind conversion-service's outbox: taking every instance out of the balancer
   * while the broker is away would refuse postbacks the outbox exists to keep.
   */
  required?: boolean;
}

export interface ReadinessAnswer {
  ready: boolean;
  /** What /readyz answers: `{ status, checks }`, plus `not_ready` (the failing required checks) when not ready. */
  body: {
    status: 'ready' | 'not_ready';
    checks: Record<string, boolean>;
    not_ready?: string[];
  };
}

interface Cached {
  at: number;
  ok: boolean;
  running?: Promise<boolean>;
}

export const SHUTTING_DOWN = 'shutting_down';

export class Readiness {
  private readonly cache = new Map<string, Cached>();
  private draining = false;

  constructor(
    private readonly probes: Probe[] = [],
    private readonly now: () => number = Date.now,
  ) {}

  /** From now on every answer is "not ready" (`shutting_down`); the checks are no longer run. */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async evaluate(): Promise<ReadinessAnswer> {
    const results = await Promise.all(this.probes.map(async (p) => [p, await this.run(p)] as const));
    const checks: Record<string, boolean> = Object.fromEntries(results.map(([p, ok]) => [p.name, ok]));
    const failing = results.filter(([p, ok]) => !ok && p.required !== false).map(([p]) => p.name);
    if (this.draining) {
      checks[SHUTTING_DOWN] = false;
      failing.push(SHUTTING_DOWN);
    }
    if (failing.length === 0) return { ready: true, body: { status: 'ready', checks } };
    return { ready: false, body: { status: 'not_ready', checks, not_ready: failing } };
  }

  private run(p: Probe): Promise<boolean> {
    const cacheMs = p.cacheMs ?? 1000;
    const hit = this.cache.get(p.name);
    if (hit?.running) return hit.running;
    if (hit && cacheMs > 0 && this.now() - hit.at < cacheMs) return Promise.resolve(hit.ok);
    const running = withTimeout(p.check, p.timeoutMs ?? 2000).then((ok) => {
      this.cache.set(p.name, { at: this.now(), ok });
      return ok;
    });
    this.cache.set(p.name, { at: hit?.at ?? 0, ok: hit?.ok ?? false, running });
    return running;
  }
}

async function withTimeout(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(check)
        .then(
          (v) => v === true,
          () => false,
        ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `new Readiness(probes)`: the shared helper every service builds its /readyz from. */
export const readiness = (probes: Probe[]): Readiness => new Readiness(probes);
