// In-memory record of what the sandbox saw: accepted events per pixel (with duplicate counting per
// (pixel, event_id)), the /events/validate test log, and request counters. Never holds an access token.

export type JsonObject = Record<string, unknown>;

export interface StoredEvent {
  pixel_id: string;
  /** Sandbox id of the request that carried the event; events of one batch share it. */
  request_id: string;
  /** Position of the event in that request's `data` array. */
  index: number;
  received_at: string;
  received_at_ms: number;
  event_id?: string;
  event_name: string;
  event_time: number;
  /** True when an earlier accepted event for the same pixel had the same event_id. */
  duplicate: boolean;
  event: JsonObject;
  /** The W3C `traceparent` header of the request that carried it, when it had one (tracing tests). */
  traceparent?: string;
}

export interface TestLogEntry {
  pixel_id: string;
  request_id: string;
  index: number;
  received_at: string;
  received_at_ms: number;
  status: 'VALID' | 'INVALID';
  event_name?: string;
  event_time?: number;
  action_source?: string;
  integration?: string;
  error_records: string[];
  warning_records: string[];
  event: unknown;
}

/** What the sandbox did with a /v3 request: stored its batch, checked it on /validate, or refused it. */
export type RequestOutcome = 'accepted' | 'validated' | 'rejected';

export interface RequestCounters {
  total: number;
  accepted: number;
  validated: number;
  rejected: number;
  faulted: number;
}

export interface PixelStats {
  requests: RequestCounters;
  accepted_events: number;
  unique_event_ids: number;
  duplicate_events: number;
  test_events: number;
}

export interface DuplicateEntry {
  pixel_id: string;
  event_id: string;
  /** How many accepted events carried this (pixel, event_id); always 2 or more. */
  count: number;
}

export interface SandboxStats {
  requests: RequestCounters;
  events: { accepted: number; duplicates: number; test: number };
  pixels: Record<string, PixelStats>;
  duplicates: DuplicateEntry[];
}

export interface EventFilter {
  pixelId?: string;
  eventId?: string;
}

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

function emptyCounters(): RequestCounters {
  return { total: 0, accepted: 0, validated: 0, rejected: 0, faulted: 0 };
}

export class SandboxStore {
  private accepted: StoredEvent[] = [];
  /** traceparent per request id, only while the request is evaluated. */
  private traces = new Map<string, string>();
  private testLog: TestLogEntry[] = [];
  /** pixel -> event_id -> number of accepted events carrying it. */
  private eventIds = new Map<string, Map<string, number>>();
  private counters = emptyCounters();
  private pixelCounters = new Map<string, RequestCounters>();

  /**
   * Records one finished /v3 request under the path's pixel id (lower-cased). `outcome` is absent when an
   * injected fault answered before any processing; `faulted` is set whenever a fault shaped the answer, so an
   * `after_processing` fault counts as both (e.g. accepted and faulted).
   */
  countRequest(pixelId: string, outcome: RequestOutcome | undefined, faulted = false): void {
    let perPixel = this.pixelCounters.get(pixelId);
    if (!perPixel) {
      perPixel = emptyCounters();
      this.pixelCounters.set(pixelId, perPixel);
    }
    for (const counters of [this.counters, perPixel]) {
      counters.total += 1;
      if (outcome) counters[outcome] += 1;
      if (faulted) counters.faulted += 1;
    }
  }

  /** Stores a fully valid batch. Returns the stored records in batch order. */
  accept(pixelId: string, requestId: string, events: JsonObject[], nowMs: number): StoredEvent[] {
    let ids = this.eventIds.get(pixelId);
    if (!ids) {
      ids = new Map();
      this.eventIds.set(pixelId, ids);
    }
    const stored = events.map((event, index): StoredEvent => {
      const eventId = typeof event['event_id'] === 'string' ? event['event_id'] : undefined;
      const seen = eventId === undefined ? 0 : (ids.get(eventId) ?? 0);
      if (eventId !== undefined) ids.set(eventId, seen + 1);
      return {
        pixel_id: pixelId,
        request_id: requestId,
        index,
        received_at: new Date(nowMs).toISOString(),
        received_at_ms: nowMs,
        ...(eventId !== undefined ? { event_id: eventId } : {}),
        event_name: String(event['event_name']),
        event_time: Number(event['event_time']),
        duplicate: seen > 0,
        event: structuredClone(event),
        ...(this.traces.has(requestId) ? { traceparent: this.traces.get(requestId) } : {}),
      };
    });
    this.accepted.push(...stored);
    return stored;
  }

  recordTest(entries: TestLogEntry[]): void {
    this.testLog.push(...entries);
  }

  events(filter: EventFilter = {}): StoredEvent[] {
    return this.accepted.filter(
      (event) =>
        (filter.pixelId === undefined || event.pixel_id === filter.pixelId) &&
        (filter.eventId === undefined || event.event_id === filter.eventId),
    );
  }

  /** Test events of one pixel received in the last 24 hours (what Snap's test log shows). */
  testEvents(pixelId: string, nowMs: number): TestLogEntry[] {
    return this.testLog.filter((entry) => entry.pixel_id === pixelId && nowMs - entry.received_at_ms <= DAY_MS);
  }

  /** Snap's validate/stats numbers for one pixel: latest receipt (epoch ms, 0 if none) and past-hour count. */
  pixelActivity(
    pixelId: string,
    nowMs: number,
  ): Record<'test' | 'live', { latest_event_ts: number; event_count_past_hour: number }> {
    const summarise = (times: number[]) => ({
      latest_event_ts: times.length > 0 ? Math.max(...times) : 0,
      event_count_past_hour: times.filter((t) => nowMs - t <= HOUR_MS).length,
    });
    return {
      test: summarise(this.testLog.filter((e) => e.pixel_id === pixelId).map((e) => e.received_at_ms)),
      live: summarise(this.accepted.filter((e) => e.pixel_id === pixelId).map((e) => e.received_at_ms)),
    };
  }

  duplicates(pixelId?: string): DuplicateEntry[] {
    const out: DuplicateEntry[] = [];
    for (const [pixel, ids] of this.eventIds) {
      if (pixelId !== undefined && pixel !== pixelId) continue;
      for (const [eventId, count] of ids) if (count > 1) out.push({ pixel_id: pixel, event_id: eventId, count });
    }
    return out;
  }

  stats(): SandboxStats {
    const pixels: Record<string, PixelStats> = {};
    const pixelIds = new Set([...this.pixelCounters.keys(), ...this.eventIds.keys()]);
    for (const pixel of [...pixelIds].sort()) {
      const ids = this.eventIds.get(pixel) ?? new Map<string, number>();
      const acceptedEvents = this.accepted.filter((e) => e.pixel_id === pixel);
      pixels[pixel] = {
        requests: { ...(this.pixelCounters.get(pixel) ?? emptyCounters()) },
        accepted_events: acceptedEvents.length,
        unique_event_ids: ids.size,
        duplicate_events: acceptedEvents.filter((e) => e.duplicate).length,
        test_events: this.testLog.filter((e) => e.pixel_id === pixel).length,
      };
    }
    return {
      requests: { ...this.counters },
      events: {
        accepted: this.accepted.length,
        duplicates: this.accepted.filter((e) => e.duplicate).length,
        test: this.testLog.length,
      },
      pixels,
      duplicates: this.duplicates(),
    };
  }

  /** Remembers a request's traceparent while it is evaluated (`forgetTrace` after). */
  noteTrace(requestId: string, traceparent: string): void {
    this.traces.set(requestId, traceparent);
  }

  forgetTrace(requestId: string): void {
    this.traces.delete(requestId);
  }

  reset(): void {
    this.accepted = [];
    this.testLog = [];
    this.eventIds.clear();
    this.counters = emptyCounters();
    this.pixelCounters.clear();
  }
}
