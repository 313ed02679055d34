/**
 * The seam between the delivery engine and one ad network. The engine owns what every network shares (validation
 * before sending, chunking, bisection of a refused batch, per-credential concurrency and rate limits, the 401/429
 * fan-out, retry planning); a destination owns what is particular to its API. snapchat-capi-dispatcher's
 * `snap-capi/destination.ts` is the reference implementation; docs/architecture.md "Adding a destination" says how to
 * write another.
 */

/** What the network accepts per request and per event. */
export interface DestinationLimits {
  /** Events per request (Snap: 2,000). */
  maxEventsPerRequest: number;
  /** Bytes of request body (Snap: 1,000,000, read conservatively). */
  maxBytesPerRequest: number;
  /** Bytes of the body around the events (Snap: `{"data":[]}`, 11). */
  envelopeBytes: number;
  /** Bytes between two serialised events (a comma: 1). */
  separatorBytes: number;
  /** How old an event may be when it reaches the network (Snap: 37 days), or null when there is no limit. */
  maxEventAgeMs: number | null;
}

/** Why an event is not sent: a stable `reasonCode` (delivery.result.v1) and a sentence a person can act on. */
export interface EventProblem {
  reasonCode: string;
  message: string;
}

/**
 * What one request's answer means, in the engine's terms. A destination's `classify` maps its HTTP statuses and
 * bodies onto these:
 * - `accepted`: the request went through; `eventErrors` lists the events (by index in the request) the network
 *   refused one by one (they fail, the others are delivered);
 * - `rejected`: the payload was refused; `splittable` lets the engine split a batch of several events (the event the
 *   network named, `culprit`, alone plus the rest, else halves) until the bad ones stand alone;
 * - `retry`: a transient failure (5xx, timeout, network); `credentialWide` (429) pauses the credential for
 *   `retryAfterMs` and sends nothing more with it in this run;
 * - `auth`: the credential or the target is wrong (401, 403, 404): every event of the credential fails until a person
 *   fixes it, and the engine reports it so the caller can fail the credential's waiting deliveries too.
 */
export type SendOutcome =
  | { kind: 'accepted'; httpStatus: number | null; message?: string | null; eventErrors?: IndexedProblem[] }
  | {
      kind: 'rejected';
      httpStatus: number | null;
      reasonCode: string;
      message: string;
      splittable: boolean;
      culprit?: number | null;
    }
  | {
      kind: 'retry';
      httpStatus: number | null;
      reasonCode: string;
      message: string;
      retryAfterMs?: number | null;
      credentialWide?: boolean;
    }
  | { kind: 'auth'; httpStatus: number | null; reasonCode: string; message: string };

export interface IndexedProblem extends EventProblem {
  index: number;
  /** The status this event's verdict came with, when it is not the request's (a validate endpoint's 400). */
  httpStatus?: number | null;
}

/**
 * One network. `C` is what the engine is given per item (the conversion), `T` the target (pixel, dataset, …) with
 * whatever settings the network needs, `E` the network's event, `K` the decrypted credential (never logged), `R`
 * what `send` returns before classification.
 */
export interface Destination<C, T, E, K, R = unknown> {
  /** The `destination` of delivery.result.v1 and delivery.command.v1 (`snapchat-capi`). */
  readonly name: string;
  readonly limits: DestinationLimits;
  /** The network-side dedup id for this conversion on this target, fixed once per delivery and reused on retries. */
  eventId(conversion: C, target: T): string;
  /** The network's event. Pure: no I/O, no clock beyond what `nowMs` gives. */
  buildEvent(conversion: C, target: T, eventId: string, nowMs: number): E;
  /** Checks made before sending; a problem means the event is never sent (its delivery fails with that reason). */
  validate(event: E, target: T, nowMs: number): EventProblem | null;
  /** The event as it goes into the request body (its size counts against `limits`). */
  serialize(event: E): string;
  /** Sends one request; may throw (the throw is classified too). */
  send(events: E[], credential: K, target: T): Promise<R>;
  /** Maps an answer, or what `send` threw, onto a SendOutcome (its messages are what a person reads). */
  classify(result: { ok: R } | { error: unknown }, events: E[], target: T): SendOutcome;
  /** A stable, non-secret key of the credential (a digest) for per-credential limits and fan-out. */
  credentialKey(credential: K, target: T): string;
}
