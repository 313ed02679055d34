import type { CredentialFailure } from '@snaptrack/delivery-engine';
import { conversionRef } from '../delivery/delivery.service';
import { targetsFor } from '../targets';
import type { SendContext } from './context';
import type { Group } from './resolve';

/**
 * A credential failed as a whole during a group's delivery. 429: the token is paused for every instance (the
 * `token_pause` row, read by each sender pass) and the pixel's waiting rows with that token are not due before the
 * pause ends. 401/403/404: a person has to fix it, so the pixel's waiting rows with that token fail now with the
 * same message instead of being sent into the same wall. The same pixel on another placement with another token is
 * not affected.
 */
export async function followUpCredential(ctx: SendContext, g: Group, c: CredentialFailure): Promise<void> {
  const { service, log, metrics } = ctx.deps;
  if (c.kind === 'rate_limited') {
    const wait = c.retryAfterMs ?? 0;
    const until = new Date(Date.now() + wait);
    log.warn('snap rate limit: pausing this token', { pixel_id: g.pixelId, wait_ms: wait });
    await service.pauseToken(g.credentialKey, until);
    await service.deferWaiting(g.accountId, g.pixelId, await waitingForCredential(ctx, g), until);
    return;
  }
  const outcome = { httpStatus: c.httpStatus ?? null, reasonCode: c.reasonCode, message: c.message };
  const more = await service.failWaiting(g.accountId, g.pixelId, await waitingForCredential(ctx, g), outcome);
  metrics?.delivery('failed', c.reasonCode, more);
  log.warn("snap refused the pixel's credential; its waiting deliveries with the same token are failed", {
    pixel_id: g.pixelId,
    http_status: c.httpStatus,
    reason_code: c.reasonCode,
    also_failed: more,
  });
}

/**
 * Ids of the pixel's waiting rows that would be sent with this group's credential (pixel + token): their
 * conversion's target for the pixel resolves, with the current configuration, to a placement holding the same token.
 */
async function waitingForCredential(ctx: SendContext, g: Group): Promise<string[]> {
  const { configView, service } = ctx.deps;
  const pixels = await configView.pixelsFor([g.accountId]);
  const ids: string[] = [];
  for (let after = '0'; ;) {
    const page = await service.waitingRows(g.accountId, g.pixelId, after, 1000);
    if (!page.length) break;
    after = page[page.length - 1]!.id;
    for (const r of page) {
      if (!r.conversion) continue;
      const primary = targetsFor(conversionRef(r.conversion), pixels).find((t) => t.pixelId === g.pixelId)?.primary;
      if (!primary?.token) continue;
      try {
        if (ctx.dest.credentialKey(ctx.tokens.decrypt(primary)) === g.credentialKey) ids.push(r.id);
      } catch {
        // An unreadable token is not this credential.
      }
    }
  }
  return ids;
}
