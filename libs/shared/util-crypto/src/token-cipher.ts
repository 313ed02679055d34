import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
/** GCM tag length. Decryption requires exactly this many bytes: Node accepts shorter (truncated) tags otherwise. */
const TAG_BYTES = 16;

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
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv, { authTagLength: TAG_BYTES });
    c.setAAD(Buffer.from(aad));
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return { key_id: this.activeKeyId, ciphertext: Buffer.concat([iv, c.getAuthTag(), data]).toString('base64url') };
  }

  decrypt(token: EncryptedToken, aad = ''): string {
    const key = this.keys.get(token.key_id);
    if (!key) throw new Error(`unknown token key id ${token.key_id}`);
    const buf = Buffer.from(token.ciphertext, 'base64url');
    // iv | tag | data: anything shorter than iv + a full tag is refused before it reaches the decipher
    if (buf.length < IV_BYTES + TAG_BYTES) throw new Error('token ciphertext is truncated');
    const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([d.update(buf.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
  }

  needsRotation(token: EncryptedToken): boolean {
    return token.key_id !== this.activeKeyId;
  }
}

/** A hint safe to show: the last 4 characters. */
export function tokenHint(plain: string): string {
  return plain.length <= 8 ? '****' : `****${plain.slice(-4)}`;
}
