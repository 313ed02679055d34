import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '@snaptrack/util-federation';
import { SNAP_USER_DATA_KEY, type PiiRole } from '@snaptrack/util-pii';
import { CampaignRef, OfferRef, TrafficChannelRef, ref } from '../federation/stubs.type';
import type { Conversion } from './conversion.entity';

export enum ConversionStatus {
  ATTRIBUTED = 'attributed',
  UNATTRIBUTED = 'unattributed',
  EXPIRED_CLICK = 'expired_click',
}
registerEnumType(ConversionStatus, {
  name: 'ConversionStatus',
  description:
    'ATTRIBUTED: deliverable. UNATTRIBUTED: no click arrived in time. EXPIRED_CLICK: the click was ' +
    'older than the offer source allows (never delivered).',
});

@ObjectType('UserDataRole', {
  description: 'A kind of customer data the conversion carries (hashed; values are never shown)',
})
export class UserDataRoleType {
  @Field({ description: 'email, phone, first_name, last_name, zip, city, state, country or external_id' }) role: string;
  @Field({ description: 'Snapchat user_data key: em, ph, fn, ln, zp, ct, st, country or external_id' }) key: string;
  @Field({ description: 'True when the value arrived already SHA-256 hashed (its normalisation is unknown)' })
  prehashed: boolean;
}

@Directive('@key(fields: "id")')
@ObjectType('Conversion')
export class ConversionType {
  @Field(() => ID) id: string;
  @Field({ description: "Deterministic event id; Snapchat's event_id" }) eventId: string;
  @Field({ description: 'Conversion type name (case-sensitive)' }) type: string;
  @Field(() => ID, { nullable: true }) conversionTypeId: string | null;
  @Field(() => ConversionStatus) status: ConversionStatus;
  @Field(() => Float, { nullable: true }) payout: number | null;
  @Field(() => String, { nullable: true, description: 'ISO 4217' }) currency: string | null;
  @Field(() => String, { nullable: true }) transactionId: string | null;
  @Field(() => Date) occurredAt: Date;
  @Field(() => Date) receivedAt: Date;
  @Field(() => String, { nullable: true, description: 'The click id the postback named' }) clickId: string | null;
  @Field(() => Date, { nullable: true }) clickedAt: Date | null;
  @Field(() => CampaignRef, { nullable: true }) campaign: CampaignRef | null;
  @Field(() => OfferRef, { nullable: true }) offer: OfferRef | null;
  @Field(() => TrafficChannelRef, { nullable: true }) trafficChannel: TrafficChannelRef | null;
  @Field(() => String, { nullable: true, description: 'Template of the traffic channel (snapchat, custom, …)' })
  trafficChannelTemplate: string | null;
  @Field(() => ID, { nullable: true }) offerSourceId: string | null;
  @Field(() => [UserDataRoleType], { description: 'Which customer data roles are present (hashed)' })
  userData: UserDataRoleType[];
  /** Not a field: the row, for field resolvers (deliveries). */
  row?: Conversion;

  static from(c: Conversion): ConversionType {
    const prehashed = new Set(c.prehashed);
    const userData = (Object.keys(SNAP_USER_DATA_KEY) as PiiRole[])
      .filter((role) => c.userData[SNAP_USER_DATA_KEY[role]])
      .map((role) => ({ role, key: SNAP_USER_DATA_KEY[role], prehashed: prehashed.has(role) }));
    return Object.assign(new ConversionType(), {
      id: c.id,
      eventId: c.eventId,
      type: c.type,
      conversionTypeId: c.conversionTypeId,
      status: c.status as ConversionStatus,
      payout: c.payout === null ? null : Number(c.payout),
      currency: c.currency,
      transactionId: c.transactionId,
      occurredAt: c.occurredAt,
      receivedAt: c.receivedAt,
      clickId: c.clickId,
      clickedAt: c.clickedAt,
      campaign: ref<CampaignRef>(c.campaignId),
      offer: ref<OfferRef>(c.offerId),
      trafficChannel: ref<TrafficChannelRef>(c.trafficChannelId),
      trafficChannelTemplate: c.trafficChannelTemplate,
      offerSourceId: c.offerSourceId,
      userData,
      row: c,
    });
  }
}

@ObjectType('ConversionConnection')
export class ConversionConnection {
  @Field(() => [ConversionType]) nodes: ConversionType[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'All conversions matching the filter, on every page' }) totalCount: number;
}
