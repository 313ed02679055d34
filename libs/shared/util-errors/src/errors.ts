/**
 * Errors carry the retry decision. A handler throws one of these; the caller's loop is a short switch.
 * `code` is a closed union used in logs, metrics and stored failure reasons.
 */
export type ErrorCode =
  | 'payload_invalid'
  | 'insufficient_identifiers'
  | 'too_old'
  | 'invalid_authentication'
  | 'pixel_not_found'
  | 'rate_limited'
  | 'upstream_unavailable'
  | 'network'
  | 'contract_violation'
  | 'unknown';

export abstract class AppError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    message: string,
    public readonly code: ErrorCode,
    public readonly httpStatus?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Transient: try again later with backoff. */
export class RetryableError extends AppError {
  readonly retryable = true;
  constructor(message: string, code: ErrorCode = 'upstream_unavailable', httpStatus?: number) {
    super(message, code, httpStatus);
  }
}

/** Slow this destination down; retry after the given delay. */
export class RateLimitedError extends AppError {
  readonly retryable = true;
  constructor(
    message: string,
    public readonly retryAfterMs: number,
  ) {
    super(message, 'rate_limited', 429);
  }
}

/** The payload itself is wrong; retrying cannot help. */
export class PayloadValidationError extends AppError {
  readonly retryable = false;
  constructor(message: string, code: ErrorCode = 'payload_invalid', httpStatus?: number) {
    super(message, code, httpStatus);
  }
}

/** 401/403 or unknown pixel: a person has to fix the configuration. */
export class InvalidAuthenticationError extends AppError {
  readonly retryable = false;
  constructor(message: string, code: ErrorCode = 'invalid_authentication', httpStatus?: number) {
    super(message, code, httpStatus);
  }
}

/** Wraps a stray throw as retryable, so nothing is dropped on an unexpected error. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RetryableError(message, 'unknown');
}

/** HTTP status → retryable? 408, 423, 429 and every 5xx except 501 are retryable; other 4xx are not. */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 423 || status === 429) return true;
  return status >= 500 && status !== 501;
}
