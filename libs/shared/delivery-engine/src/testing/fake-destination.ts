import { createHash } from 'node:crypto';
import type { Destination, SendOutcome } from '../destination';

/**
 * A destination that needs no network: its "API" is a function the test controls. Used by the engine's tests and by
 * the "Writing another dispatcher" walk-through in libs/contracts/events/README.md.
 */
export interface FakeConversion {
  id: string;
  value: number | null;
  email?: string | null;
}
export interface FakeTarget {
  targetId: string;
}
export interface FakeEvent {
  event_id: string;
  target: string;
  value: number | null;
}
/** What the fake network answers for one request (the events it was sent, and the credential). */
export type FakeAnswer =
  | { status: 200; refused?: number[] }
  | { status: 400; culprit?: number }
  | { status: 401 | 429 | 503; retryAfterMs?: number };

export class FakeDestination implements Destination<FakeConversion, FakeTarget, FakeEvent, string, FakeAnswer> {
  readonly name = 'fake-network';
  readonly limits = {
    maxEventsPerRequest: 4,
    maxBytesPerRequest: 10_000,
    envelopeBytes: 2,
    separatorBytes: 1,
    maxEventAgeMs: 7 * 86_400_000,
  };
  /** Every request made: the event ids in it and the credential key. */
  readonly requests: Array<{ eventIds: string[]; credential: string }> = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly answer: (events: FakeEvent[], credential: string) => FakeAnswer = () => ({ status: 200 }),
    private readonly delayMs = 0,
  ) {}

  eventId(c: FakeConversion, t: FakeTarget): string {
    return createHash('sha256').update(`${c.id}|${t.targetId}`).digest('hex').slice(0, 16);
  }

  buildEvent(c: FakeConversion, t: FakeTarget, eventId: string): FakeEvent {
    return { event_id: eventId, target: t.targetId, value: c.value };
  }

  validate(e: FakeEvent) {
    return e.value === null ? { reasonCode: 'missing_value', message: 'The conversion has no value.' } : null;
  }

  serialize(e: FakeEvent): string {
    return JSON.stringify(e);
  }

  async send(events: FakeEvent[], credential: string): Promise<FakeAnswer> {
    this.requests.push({ eventIds: events.map((e) => e.event_id), credential: this.credentialKey(credential) });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      return this.answer(events, credential);
    } finally {
      this.inFlight--;
    }
  }

  classify(result: { ok: FakeAnswer } | { error: unknown }): SendOutcome {
    if ('error' in result) return { kind: 'retry', httpStatus: null, reasonCode: 'network', message: 'No answer.' };
    const a = result.ok;
    switch (a.status) {
      case 200:
        return {
          kind: 'accepted',
          httpStatus: 200,
          eventErrors: (a.refused ?? []).map((index) => ({ index, reasonCode: 'refused', message: 'Refused.' })),
        };
      case 400:
        return {
          kind: 'rejected',
          httpStatus: 400,
          reasonCode: 'rejected',
          message: 'Bad event.',
          splittable: true,
          culprit: a.culprit ?? null,
        };
      case 401:
        return { kind: 'auth', httpStatus: 401, reasonCode: 'invalid_authentication', message: 'Fix the token.' };
      case 429:
        return {
          kind: 'retry',
          httpStatus: 429,
          reasonCode: 'rate_limited',
          message: 'Slow down.',
          retryAfterMs: a.retryAfterMs ?? null,
          credentialWide: true,
        };
      default:
        return { kind: 'retry', httpStatus: a.status, reasonCode: 'upstream_unavailable', message: 'Try later.' };
    }
  }

  credentialKey(credential: string): string {
    return createHash('sha256').update(credential).digest('hex').slice(0, 12);
  }
}
