import { ConfigEntityV1 } from '@snaptrack/contracts-events';
import type { TokenCipher } from '@snaptrack/util-crypto';
import type { PixelPlacement } from '../targets';

/** The AAD config-service binds a pixel's encrypted token to: the pixel entity (placement) id. */
export function tokenAad(placement: Pick<PixelPlacement, 'configId'>): string {
  return ConfigEntityV1.pixelTokenAad({ id: placement.configId });
}

/**
 * Decrypts placements' access tokens, keeping the plain tokens in memory (never logged) by placement, key id and
 * ciphertext, so a token saved again is decrypted again. Throws when the token cannot be decrypted.
 */
export class TokenCache {
  private readonly plain = new Map<string, string>();

  constructor(private readonly cipher: TokenCipher) {}

  decrypt(p: PixelPlacement): string {
    const cacheKey = `${p.configId}|${p.token!.key_id}|${p.token!.ciphertext}`;
    let plain = this.plain.get(cacheKey);
    if (plain === undefined) {
      plain = this.cipher.decrypt(p.token!, tokenAad(p));
      if (this.plain.size > 10_000) this.plain.clear();
      this.plain.set(cacheKey, plain);
    }
    return plain;
  }
}
