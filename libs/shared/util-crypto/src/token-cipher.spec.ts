import { TokenCipher, tokenHint } from './token-cipher';

const k1 = Buffer.alloc(32, 1).toString('base64');
const k2 = Buffer.alloc(32, 2).toString('base64');

describe('TokenCipher', () => {
  it('round-trips and never stores the plain text', () => {
    const c = new TokenCipher(`k1:${k1}`);
    const enc = c.encrypt('secret-token-value', 'pixel-1');
    expect(enc.key_id).toBe('k1');
    expect(enc.ciphertext).not.toContain('secret');
    expect(c.decrypt(enc, 'pixel-1')).toBe('secret-token-value');
  });
  it('fails on tampering or wrong AAD', () => {
    const c = new TokenCipher(`k1:${k1}`);
    const enc = c.encrypt('t', 'a');
    expect(() => c.decrypt(enc, 'b')).toThrow();
  });
  it('refuses a truncated GCM tag (a truncated tag is a valid prefix that Node would otherwise accept)', () => {
    const c = new TokenCipher(`k1:${k1}`);
    const enc = c.encrypt('', 'a');
    const full = Buffer.from(enc.ciphertext, 'base64url');
    expect(full.length).toBe(12 + 16);
    expect(c.decrypt(enc, 'a')).toBe('');
    for (const tagBytes of [4, 8, 12, 15]) {
      const truncated = { ...enc, ciphertext: full.subarray(0, 12 + tagBytes).toString('base64url') };
      expect(() => c.decrypt(truncated, 'a')).toThrow(/truncated/);
    }
  });
  it('refuses a full-length ciphertext whose tag was altered', () => {
    const c = new TokenCipher(`k1:${k1}`);
    const full = Buffer.from(c.encrypt('tok', 'a').ciphertext, 'base64url');
    full[12] ^= 1;
    expect(() => c.decrypt({ key_id: 'k1', ciphertext: full.toString('base64url') }, 'a')).toThrow();
  });
  it('rotates: a new first key encrypts, old keys still decrypt', () => {
    const old = new TokenCipher(`k1:${k1}`);
    const enc = old.encrypt('tok');
    const rotated = new TokenCipher(`k2:${k2},k1:${k1}`);
    expect(rotated.decrypt(enc)).toBe('tok');
    expect(rotated.needsRotation(enc)).toBe(true);
    expect(rotated.encrypt('tok').key_id).toBe('k2');
  });
  it('validates key specs', () => {
    expect(TokenCipher.validateSpec('k1:short')).toMatch(/32 bytes/);
    expect(TokenCipher.validateSpec('')).toMatch(/at least one/);
  });
  it('hints', () => expect(tokenHint('abcdefghijkl')).toBe('****ijkl'));
});
