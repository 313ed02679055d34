import { randomBytes } from 'node:crypto';

const ID_BYTES = 16;
const POOL_IDS = 256;
let pool = randomBytes(ID_BYTES * POOL_IDS);
let next = 0;

/**
 * 128 random bits, URL-safe base64 without padding: 22 characters, unguessable, safe in any URL or cookie. The bits
 * come from the CSPRNG in blocks of 256 ids (one `randomBytes` call per 256 clicks instead of one per click); each
 * block is used once.
 */
export function newClickId(): string {
  if (next === POOL_IDS) {
    pool = randomBytes(ID_BYTES * POOL_IDS);
    next = 0;
  }
  const start = next++ * ID_BYTES;
  return pool.toString('base64url', start, start + ID_BYTES);
}
