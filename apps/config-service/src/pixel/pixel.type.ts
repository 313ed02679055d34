import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../common/pagination';
import type { PixelEntity, PixelEventMappingEntity } from './pixel.entity';

export enum PixelPlacementKind {
  /** The traffic channel's default data source: receives only conversions whose click came through that channel. */
  CHANNEL = 'channel',
  /** On an offer (its CAPI tab): receives the offer's conversions from every channel. */
  OFFER = 'offer',
}
registerEnumType(PixelPlacementKind, {
  name: 'PixelPlacementKind',
  valuesConfig: {
    CHANNEL: {
      description: "The traffic channel's default data source: only conversions whose click came through that channel",
    },
    OFFER: { description: "On an offer: the offer's conversions from every channel" },
  },
});

@ObjectType('PixelEventMapping', { description: 'Conversion type → Snapchat event name for one pixel' })
export class PixelEventMappingType {
  @Field(() => ID) conversionTypeId: string;
  @Field() snapEventName: string;

  static from(m: Pick<PixelEventMappingEntity, 'conversionTypeId' | 'snapEventName'>): PixelEventMappingType {
    return Object.assign(new PixelEventMappingType(), {
      conversionTypeId: m.conversionTypeId,
      snapEventName: m.snapEventName,
    });
  }
}

/**
 * A Snapchat pixel placed on a traffic channel or an offer. Deliberately a separate class from PixelEntity: the
 * encrypted token columns never become fields. Only `hasToken` and `tokenHint` (e.g. "****abcd") are exposed.
 */
@Directive('@key(fields: "id")')
@ObjectType('Pixel', { description: 'A Snapchat Conversions API data source placed on a traffic channel or an offer' })
export class PixelType {
  @Field(() => ID, { description: 'Id of this placement' }) id: string;
  @Field({ description: 'Snap pixel ID (UUID)' }) pixelId: string;
  @Field(() => PixelPlacementKind) placement: PixelPlacementKind;
  @Field(() => ID, { nullable: true }) trafficChannelId: string | null;
  @Field(() => ID, { nullable: true }) offerId: string | null;
  @Field({ description: 'Whether an access token is saved (the token itself is write-only)' }) hasToken: boolean;
  @Field(() => String, { nullable: true, description: 'Masked hint of the saved token, e.g. "****abcd"' }) tokenHint:
    string | null;
  @Field() testMode: boolean;
  @Field() limitedDataUse: boolean;
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: PixelEntity): PixelType {
    return Object.assign(new PixelType(), {
      id: e.id,
      pixelId: e.pixelId,
      placement: e.placementKind as PixelPlacementKind,
      trafficChannelId: e.trafficChannelId,
      offerId: e.offerId,
      hasToken: e.tokenCiphertext !== null,
      tokenHint: e.tokenCiphertext !== null ? e.tokenHint : null,
      testMode: e.testMode,
      limitedDataUse: e.limitedDataUse,
      version: e.version,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('PixelConnection')
export class PixelConnection extends Connection(PixelType) {}

@ObjectType('TokenRotationResult')
export class TokenRotationResult {
  @Field(() => Int, { description: 'Tokens re-encrypted under the active key (and re-published)' }) rotated: number;
  @Field(() => Int, { description: 'Tokens that could not be decrypted with any configured key' }) failed: number;
  @Field() activeKeyId: string;
}
