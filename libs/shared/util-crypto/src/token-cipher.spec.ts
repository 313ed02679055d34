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
