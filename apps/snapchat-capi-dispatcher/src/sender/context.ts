import type { Claim as EngineClaim, CredentialLimits, RetryPolicy } from '@snaptrack/delivery-engine';
import type { Logger } from '@snaptrack/util-logger';
import type { TokenCipher } from '@snaptrack/util-crypto';
import type { ServiceMetrics } from '@snaptrack/util-observability';
import type { ConfigViewService } from '../config-view/config-view.service';
import type { DispatcherConfig } from '../config';
import type { ClaimedRow, DeliveryService } from '../delivery/delivery.service';
import type { SnapCapiClient } from '../snap-capi/client';
import type { SnapchatDestination } from '../snap-capi/destination';
import type { TokenCache } from './tokens';

export interface SenderDeps {
  service: DeliveryService;
  configView: ConfigViewService;
  client: SnapCapiClient;
  cipher: TokenCipher;
  log: Logger;
  config: DispatcherConfig;
  /** This instance's advisory lock (delivery-engine instance-lock.ts): claims carry its number, only while held. */
  lock: { readonly instanceNo: number; readonly held: boolean };
  /** Deliveries by status and reason, Snapchat request durations and batch sizes (util-observability). */
  metrics?: Pick<ServiceMetrics, 'delivery' | 'snapRequest'>;
}

/** Counters for tests and operators (`/stats`). */
export interface SenderStats {
  requests: number;
  eventsSent: number;
  delivered: number;
  failed: number;
  retried: number;
}

/** What one claim's delivery needs from the sender that runs it. */
export interface SendContext {
  deps: SenderDeps;
  dest: SnapchatDestination;
  limits: CredentialLimits;
  policy: RetryPolicy;
  tokens: TokenCache;
  stats: SenderStats;
  /** Since when the sender is stopping (0 while it runs). */
  stoppedAt(): number;
  /** Look for due work again in `ms` (a retry comes due). */
  schedule(ms: number): void;
}

/** One claim being worked on (the engine's Claim over the dispatcher's ledger rows). */
export type Claim = EngineClaim<ClaimedRow>;

/**
 * Added to SNAP_REQUEST_TIMEOUT_MS for a row's `request_deadline`: the request is aborted at its timeout, and this
 * covers the event loop and the round trip of the statement that set the deadline.
 */
export const REQUEST_DEADLINE_MARGIN_MS = 2000;

/** How long after a request starts it has certainly ended: SNAP_REQUEST_TIMEOUT_MS + REQUEST_DEADLINE_MARGIN_MS. */
export function requestDeadlineMs(config: Pick<DispatcherConfig, 'requestTimeoutMs'>): number {
  return config.requestTimeoutMs + REQUEST_DEADLINE_MARGIN_MS;
}

/**
 * A request that starts within this long of its claim needs no lease refresh: the claim already set the rows'
 * `request_deadline` (this + SNAP_REQUEST_TIMEOUT_MS + REQUEST_DEADLINE_MARGIN_MS from the claim). Longer, and the
 * rows of a claimer that died before sending them would wait longer to be taken over.
 */
export const FRESH_CLAIM_MS = 1000;
