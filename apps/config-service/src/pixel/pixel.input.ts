import { Field, ID, InputType, Int } from 'type-graphql';
import {
  SNAP_EVENT_NAMES,
  canonicalPixelId,
  isSnapEventName,
  isSnapPixelId,
  type SnapEventName,
} from '@snaptrack/contracts-events';
import { badInput } from '@snaptrack/util-federation';

@InputType('PixelEventMappingInput', { description: 'Conversion type → Snapchat event name' })
export class PixelEventMappingInput {
  @Field(() => ID) conversionTypeId: string;
  @Field({
    description:
      'A Snapchat standard event name, spelled exactly (see snapEventNames), e.g. PURCHASE, SIGN_UP, CUSTOM_EVENT_1',
  })
  snapEventName: string;
}

@InputType('PixelInput', {
  description: 'A Snapchat Conversions API data source: pixel + access token + event mapping',
})
export class PixelInput {
  @Field({ description: 'Snap pixel ID (a UUID: Ads Manager → Assets → Pixels)' }) pixelId: string;
  @Field(() => String, {
    nullable: true,
    description:
      'Conversions API token (Business Settings → Business details → Conversions API token). ' +
      'Write-only: never returned. Omit to keep the current one.',
  })
  accessToken?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    description: "Send this pixel's events to Snap's validate endpoint instead of the live one",
  })
  testMode?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Limited Data Use: send data_processing_options ["LDU"]' })
  limitedDataUse?: boolean | null;
  @Field(() => [PixelEventMappingInput], { nullable: true, description: 'Replaces the event mapping; omit to keep it' })
  eventMapping?: PixelEventMappingInput[] | null;
  @Field(() => Int, {
    nullable: true,
    defaultValue: 0,
    description:
      'Also deliver the conversions of the last n days (0-37; Snapchat ignores older events) of this channel or ' +
      'offer to this pixel, once each. 0 (default): only conversions from now on.',
  })
  backfillDays?: number | null;
}

@InputType('UpdatePixelInput')
export class UpdatePixelInput {
  @Field(() => String, { nullable: true }) pixelId?: string | null;
  @Field(() => String, { nullable: true, description: 'Replaces the access token (write-only)' }) accessToken?:
    string | null;
  @Field(() => Boolean, { nullable: true }) testMode?: boolean | null;
  @Field(() => Boolean, { nullable: true }) limitedDataUse?: boolean | null;
  @Field(() => [PixelEventMappingInput], { nullable: true, description: 'Replaces the event mapping' }) eventMapping?:
    PixelEventMappingInput[] | null;
}

/** Snap pixel IDs are UUIDs (the shared rule of @snaptrack/contracts-events); returns the lowercase form. */
export function snapPixelId(raw: string | null | undefined): string {
  const v = canonicalPixelId(raw ?? '');
  if (!v) throw badInput('Pixel ID must not be empty', 'pixelId');
  if (!isSnapPixelId(v)) {
    throw badInput(
      `Pixel ID "${String(raw).trim().slice(0, 60)}" is not a Snapchat pixel ID: it must be a UUID such ` +
        `as 1a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d (Snapchat Ads Manager → Assets → Pixels)`,
      'pixelId',
    );
  }
  return v;
}

/** Validates a pasted access token. Error messages never echo the token. */
export function accessToken(raw: string): string {
  const v = raw.trim();
  if (!v)
    throw badInput(
      'Access token must not be empty: paste the Conversions API token from Snapchat Business Settings',
      'accessToken',
    );
  if (/\s/.test(v)) throw badInput('Access token must not contain spaces or line breaks', 'accessToken');
  if (v.length > 4096) throw badInput('Access token is too long (at most 4096 characters)', 'accessToken');
  return v;
}

const TRAPS: Record<string, SnapEventName> = {
  ADD_TO_CART: 'ADD_CART',
  SPEND_CREDITS: 'SPENT_CREDITS',
  LEAD: 'SIGN_UP',
  CHECKOUT: 'START_CHECKOUT',
};

export function snapEventName(raw: string): SnapEventName {
  const v = (raw ?? '').trim();
  if (isSnapEventName(v)) return v;
  const upper = v.toUpperCase().replace(/[\s-]+/g, '_');
  const suggestion = isSnapEventName(upper) ? upper : TRAPS[upper];
  throw badInput(
    `Unknown Snapchat event name ` +
      `"${v.slice(0, 60)}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}. Use one of: ` +
      `${SNAP_EVENT_NAMES.join(', ')}`,
    'snapEventName',
  );
}

export interface MappingEntry {
  conversionTypeId: string;
  snapEventName: SnapEventName;
}

/** Shape checks of an event mapping; whether the conversion types exist is the service's question. */
export function eventMapping(list: PixelEventMappingInput[]): MappingEntry[] {
  const seen = new Set<string>();
  const out: MappingEntry[] = [];
  for (const m of list) {
    const name = snapEventName(m.snapEventName);
    const id = (m.conversionTypeId ?? '').trim().toLowerCase();
    if (seen.has(id))
      throw badInput(
        `Conversion type ${id} is mapped twice: a conversion type maps to at most one Snapchat event per pixel`,
        'eventMapping',
      );
    seen.add(id);
    out.push({ conversionTypeId: id, snapEventName: name });
  }
  return out;
}

/** PixelInput.backfillDays: an integer from 0 to 37 (Snapchat accepts events up to 37 days old). */
export function backfillDays(raw: number | null | undefined): number {
  const v = raw ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 37)
    throw badInput(
      'backfillDays must be between 0 and 37 (Snapchat ignores events older than 37 days)',
      'backfillDays',
    );
  return v;
}
