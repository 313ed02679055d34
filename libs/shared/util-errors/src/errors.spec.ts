import {
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError,
  isRetryableStatus,
  toAppError,
} from './errors';

describe('errors', () => {
  it.each([
    [408, true],
    [423, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [501, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
  ])('status %i retryable=%s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });

  it('classifies', () => {
    expect(new RetryableError('x').retryable).toBe(true);
    expect(new PayloadValidationError('x').retryable).toBe(false);
    expect(new InvalidAuthenticationError('x').retryable).toBe(false);
    expect(toAppError(new Error('boom'))).toBeInstanceOf(RetryableError);
    const v = new PayloadValidationError('bad', 'too_old');
    expect(toAppError(v)).toBe(v);
    expect(v.name).toBe('PayloadValidationError');
  });
});
