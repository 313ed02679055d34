import { toAppError } from '@snaptrack/util-errors';
import type { OfferInfo } from '../config-view/config-view.service';
import { conversionRef, type ClaimedRow, type Outcome } from '../delivery/delivery.service';
import type { SnapTarget } from '../snap-capi/destination';
import {
  conversionMissingMessage,
  missingTokenMessage,
  notMappedMessage,
  pixelRemovedMessage,
  tokenUnreadableMessage,
} from '../snap-capi/messages';
import { assertValidPixelId } from '../snap-capi/validate';
import { placementNote, targetsFor, type PixelPlacement, type PlacementKind } from '../targets';
import type { TokenCache } from './tokens';

/** One claimed row ready for the engine: its pixel settings and what its outcome carries besides the answer. */
export interface RowItem {
  row: ClaimedRow;
  target: SnapTarget;
  placements: PlacementKind[];
  testMode: boolean;
  note: string | null;
}

/** The rows of one claim that go out with one credential to one endpoint: one `deliverBatch`. */
export interface Group {
  accountId: string;
  /** Canonical pixel id (ledger key). */
  pixelId: string;
  /** The request's target (the pixel id as configured, test mode); each item keeps its own settings too. */
  target: SnapTarget;
  token: string;
  credentialKey: string;
  items: RowItem[];
}

/**
 * Pure but for token decryption: resolves each claimed row against the current configuration. A row that cannot be
 * sent (conversion gone, pixel removed, no mapping, bad pixel id, no or unreadable token) gets its outcome now;
 * the others are grouped by (credential, endpoint, pixel id as configured).
 */
export function resolveClaim(
  rows: ClaimedRow[],
  ctx: {
    accountId: string;
    pixelId: string;
    pixels: PixelPlacement[];
    offers: Map<string, OfferInfo>;
    tokens: TokenCache;
    credentialKey: (token: string) => string;
  },
): { immediate: Outcome[]; groups: Group[] } {
  const immediate: Outcome[] = [];
  const groups = new Map<string, Group>();
  const now = (id: string, status: Outcome['status'], reasonCode: string, message: string, extra = {}) =>
    immediate.push({ id, status, reasonCode, message, ...extra });
  for (const row of rows) {
    const conv = row.conversion;
    if (!conv) {
      now(row.id, 'failed', 'conversion_missing', conversionMissingMessage());
      continue;
    }
    const target = targetsFor(conversionRef(conv), ctx.pixels).find((t) => t.pixelId === row.pixel_id);
    if (!target) {
      now(row.id, 'skipped', 'pixel_removed', pixelRemovedMessage(row.pixel_id));
      continue;
    }
    const eventName = row.event_name ?? target.eventName;
    if (!eventName) {
      now(row.id, 'skipped', 'no_mapping', notMappedMessage(conv.type, row.pixel_id));
      continue;
    }
    const p = target.primary;
    const placements = { placements: target.placements };
    try {
      assertValidPixelId(p.pixelId.trim());
    } catch (e) {
      const err = toAppError(e);
      now(row.id, 'failed', err.code, `Pixel ${row.pixel_id}: ${err.message}`, placements);
      continue;
    }
    if (!p.token) {
      now(row.id, 'failed', 'missing_token', missingTokenMessage(row.pixel_id), placements);
      continue;
    }
    let token: string;
    try {
      token = ctx.tokens.decrypt(p);
    } catch {
      now(row.id, 'failed', 'token_unreadable', tokenUnreadableMessage(row.pixel_id), placements);
      continue;
    }
    const offer = conv.attribution ? ctx.offers.get(conv.attribution.offer_id) : undefined;
    const snapTarget: SnapTarget = {
      pixelId: p.pixelId.trim(),
      eventName,
      limitedDataUse: p.limitedDataUse,
      testMode: p.testMode,
      fallbackUrl: offer?.url ?? null,
      defaultCurrency: offer?.defaultCurrency ?? null,
    };
    const credentialKey = ctx.credentialKey(token);
    const key = `${credentialKey}|${p.testMode ? 'validate' : 'events'}|${snapTarget.pixelId}`;
    let g = groups.get(key);
    if (!g) {
      g = { accountId: ctx.accountId, pixelId: ctx.pixelId, target: snapTarget, token, credentialKey, items: [] };
      groups.set(key, g);
    }
    g.items.push({
      row,
      target: snapTarget,
      placements: target.placements,
      testMode: p.testMode,
      note: placementNote(target),
    });
  }
  return { immediate, groups: [...groups.values()] };
}
