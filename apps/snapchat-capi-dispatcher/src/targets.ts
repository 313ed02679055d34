import type { EncryptedToken } from '@snaptrack/util-crypto';

/**
 * Pure: which Snap pixels receive one conversion. The pixels placed on the conversion's traffic channel plus the
 * pixels placed on its offer, distinct by Snap pixel id (the no-duplicate-pixel rule at delivery time). When one
 * pixel id sits on both levels (or twice on one level), it is still one target; `placements` records where it was
 * found so the user can see the misconfiguration.
 */

export type PlacementKind = 'channel' | 'offer';

/** One pixel placement from the config view (config.entity.v1, entity_type "pixel"). */
export interface PixelPlacement {
  /** The config entity id of this placement (also the AAD of its encrypted token). */
  configId: string;
  accountId: string;
  /** The Snap Pixel ID as configured. */
  pixelId: string;
  placement: { kind: 'channel'; trafficChannelId: string } | { kind: 'offer'; offerId: string };
  token: EncryptedToken | null;
  testMode: boolean;
  limitedDataUse: boolean;
  /** conversion_type_id → Snap event name. */
  eventMapping: Record<string, string>;
}

export interface ConversionRef {
  accountId: string;
  trafficChannelId: string | null;
  offerId: string | null;
  conversionTypeId: string | null;
}

export interface Target {
  /** Canonical (lower-case, trimmed) Snap pixel id: the ledger key. */
  pixelId: string;
  /**
   * Where the pixel is placed for this conversion, in this order: channel, offer. Both = a misconfiguration we
   * absorbed.
   */
  placements: PlacementKind[];
  /** The placement whose token, settings and mapping are used. */
  primary: PixelPlacement;
  /** The mapped Snap event name, or null: the delivery is skipped with no_mapping. */
  eventName: string | null;
}

export function canonicalPixelId(pixelId: string): string {
  return pixelId.trim().toLowerCase();
}

function matches(conv: ConversionRef, p: PixelPlacement): boolean {
  if (p.accountId !== conv.accountId) return false;
  if (p.placement.kind === 'channel')
    return conv.trafficChannelId !== null && p.placement.trafficChannelId === conv.trafficChannelId;
  return conv.offerId !== null && p.placement.offerId === conv.offerId;
}

const KIND_ORDER: Record<PlacementKind, number> = { channel: 0, offer: 1 };

function mappedName(p: PixelPlacement, conversionTypeId: string | null): string | null {
  if (conversionTypeId === null) return null;
  const name = p.eventMapping[conversionTypeId];
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : null;
}

/**
 * The targets of one conversion, sorted by pixel id. For a pixel found on several placements, the primary placement
 * is the first (channel before offer, then by config id) that maps the conversion type; if none maps it, the first one.
 */
export function targetsFor(conv: ConversionRef, pixels: readonly PixelPlacement[]): Target[] {
  const byPixel = new Map<string, PixelPlacement[]>();
  for (const p of pixels) {
    if (!matches(conv, p)) continue;
    const key = canonicalPixelId(p.pixelId);
    if (!key) continue;
    const list = byPixel.get(key) ?? [];
    list.push(p);
    byPixel.set(key, list);
  }
  const out: Target[] = [];
  for (const [pixelId, list] of byPixel) {
    const ordered = [...list].sort(
      (a, b) =>
        KIND_ORDER[a.placement.kind] - KIND_ORDER[b.placement.kind] ||
        (a.configId < b.configId ? -1 : a.configId > b.configId ? 1 : 0),
    );
    const mapped = ordered.find((p) => mappedName(p, conv.conversionTypeId) !== null);
    const primary = mapped ?? ordered[0]!;
    const placements = (['channel', 'offer'] as const).filter((k) => ordered.some((p) => p.placement.kind === k));
    out.push({ pixelId, placements, primary, eventName: mappedName(primary, conv.conversionTypeId) });
  }
  return out.sort((a, b) => (a.pixelId < b.pixelId ? -1 : a.pixelId > b.pixelId ? 1 : 0));
}

/** The user-facing note for a pixel found on both levels (shown in the delivery result's message). */
export function placementNote(target: Pick<Target, 'pixelId' | 'placements'>): string | null {
  if (target.placements.length < 2) return null;
  return (
    `Pixel ${target.pixelId} is set on both the traffic channel and the offer; Snapchat received this ` +
    `conversion once. Remove it from one of them.`
  );
}
