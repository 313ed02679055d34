import { createHash } from 'node:crypto';

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** sha256("") – never a valid identifier; Snap (and our sandbox) reject it as "unhashed PII". */
export const EMPTY_STRING_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Lowercase hex SHA-256 of the UTF-8 bytes of `value`. Does no normalisation of its own. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** True when `value` is exactly 64 hex digits (either case), i.e. it looks like an already-hashed SHA-256. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}
