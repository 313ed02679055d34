import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptedToken {
  key_id: string;
  ciphertext: string; // base64url(iv | tag | data)
}

/**
 * AES-256-GCM for access tokens at rest and on the config topic. Keys come from config as
 * "id1:base64key,id2:base64key": the first encrypts, all decrypt, so keys can be rotated by putting a new
 * key first, re-encrypting, then removing the old one.
 */
export class TokenCipher {
  private readonly keys: Map<string, Buffer>;
  readonly activeKeyId: string;

  constructor(spec: string) {
    this.keys = new Map();
    for (const part of spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const i = part.indexOf(':');
      const id = part.slice(0, i);
      const key = Buffer.from(part.slice(i + 1), 'base64');
      if (i < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id))
        throw new Error('token key ids must be 1-32 chars [A-Za-z0-9_-] before ":"');
      if (key.length !== 32) throw new Error(`token key ${id} must be 32 bytes, base64-encoded`);
      this.keys.set(id, key);
    }
    if (!this.keys.size) throw new Error('at least one token encryption key is required');
    this.activeKeyId = [...this.keys.keys()][0];
  }

  static validateSpec(spec: string): string | null {
    try {
      new TokenCipher(spec);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  encrypt(plain: string, aad = ''): EncryptedToken {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    c.setAAD(Buffer.from(aad));
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return { key_id: this.activeKeyId, ciphertext: Buffer.concat([iv, c.getAuthTag(), data]).toString('base64url') };
  }

  decrypt(token: EncryptedToken, aad = ''): string {
    const key = this.keys.get(token.key_id);
    if (!key) throw new Error(`unknown token key id ${token.key_id}`);
    const buf = Buffer.from(token.ciphertext, 'base64url');
    const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
  }

  needsRotation(token: EncryptedToken): boolean {
    return token.key_id !== this.activeKeyId;
  }
}

/** A hint safe to show: the last 4 characters. */
export function tokenHint(plain: string): string {
  return plain.length <= 8 ? '****' : `****${plain.slice(-4)}`;
}
