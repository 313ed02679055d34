// Public surface of @snaptrack/snap-capi-sandbox: a local Snap Conversions API v3 server for tests and demos.

export { startSandbox, DEFAULT_MAX_BODY_BYTES, type Sandbox, type SandboxOptions } from './sandbox';
export type { LogEntry } from './server';
export { loadSandboxEnv, DEFAULT_PORT, type SandboxEnvConfig } from './config';
export {
  SandboxStore,
  type StoredEvent,
  type TestLogEntry,
  type SandboxStats,
  type PixelStats,
  type DuplicateEntry,
  type RequestCounters,
  type RequestOutcome,
  type EventFilter,
} from './store';
export {
  FaultQueue,
  parseFaultSpec,
  type Fault,
  type FaultSpec,
  type FaultEndpoint,
  type SandboxEndpoint,
} from './faults';
export {
  PixelRegistry,
  parsePixelList,
  isPixelId,
  type PixelSource,
  type AuthResult,
  type AuthFailureCode,
} from './pixels';
export {
  validateBatch,
  validateEvent,
  DEFAULT_LIMITS,
  HASHED_USER_DATA_KEYS,
  SHA256_OF_EMPTY_STRING,
  type BatchVerdict,
  type EventVerdict,
  type Problem,
  type ProblemCode,
  type ValidationLimits,
} from './validate';
export { SNAP_EVENT_NAMES, isSnapEventName, type SnapEventName } from './event-names';
export { ISO_4217_CODES, isIso4217 } from '@snaptrack/contracts-events';
export {
  SEND_OK_REASON,
  type SendValid,
  type SendInvalid,
  type ValidateBody,
  type ErrorDetails,
  type EventLog,
} from './responses';
export { sampleWebPurchase, VECTOR_SHA256, SAMPLE_USER_AGENT } from './fixtures';
