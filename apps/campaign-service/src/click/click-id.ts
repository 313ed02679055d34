import { randomBytes } from 'node:crypto';

/** 128 random bits, URL-safe base64 without padding: 22 characters, unguessable, safe in any URL or cookie. */
export function newClickId(): string {
  return randomBytes(16).toString('base64url');
}
