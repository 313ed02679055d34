import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CampaignRef, ConversionTypeRef, OfferRef, OfferSourceRef, TrafficChannelRef } from '../federation/stubs.type';

export enum ReportDimension {
  CAMPAIGN = 'campaign',
  TRAFFIC_CHANNEL = 'trafficChannel',
  OFFER = 'offer',
  OFFER_SOURCE = 'offerSource',
  CONVERSION_TYPE = 'conversionType',
  DAY = 'day',
  HOUR = 'hour',
}
registerEnumType(ReportDimension, {
  name: 'ReportDimension',
  description: 'What report rows are grouped by (any combination; rows are always split by currency as well)',
  valuesConfig: {
    DAY: { description: 'Calendar day in the time zone of the report' },
    HOUR: { description: 'Hour of the day (0-23) in the time zone of the report; with DAY for an hourly series' },
    CONVERSION_TYPE: { description: 'Splits conversions and revenue; every row keeps the clicks of its other keys' },
  },
});

@InputType('ReportFilter')
export class ReportFilterInput {
  @Field(() => ID, { nullable: true }) campaignId?: string | null;
  @Field(() => ID, { nullable: true }) trafficChannelId?: string | null;
  @Field(() => ID, { nullable: true }) offerId?: string | null;
  @Field(() => ID, { nullable: true }) offerSourceId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Counts only these conversions; clicks are not filtered by it' })
  conversionTypeId?: string | null;
}

@ObjectType('ReportRow', {
  description:
    "One combination of the grouped dimensions and one currency. `clicks` are the clicks of the row's campaign, " +
    'channel, offer, offer source, day and hour: rows that differ only by conversion type or currency repeat them, ' +
    'so add up clicks from rows of one currency and one type (or use `Report.totals`)',
})
export class ReportRowType {
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD in the report time zone (grouped by DAY)' })
  day: string | null;
  @Field(() => Int, { nullable: true, description: '0-23 in the report time zone (grouped by HOUR)' }) hour:
    number | null;
  @Field(() => ID, { nullable: true }) campaignId: string | null;
  @Field(() => CampaignRef, { nullable: true }) campaign: CampaignRef | null;
  @Field(() => ID, { nullable: true }) trafficChannelId: string | null;
  @Field(() => TrafficChannelRef, { nullable: true }) trafficChannel: TrafficChannelRef | null;
  @Field(() => ID, { nullable: true }) offerId: string | null;
  @Field(() => OfferRef, { nullable: true }) offer: OfferRef | null;
  @Field(() => ID, { nullable: true }) offerSourceId: string | null;
  @Field(() => OfferSourceRef, { nullable: true }) offerSource: OfferSourceRef | null;
  @Field(() => ID, { nullable: true }) conversionTypeId: string | null;
  @Field(() => ConversionTypeRef, { nullable: true }) conversionType: ConversionTypeRef | null;
  @Field(() => String, {
    nullable: true,
    description: 'ISO 4217 code of `revenue`; null on a row without conversions (or conversions without a currency)',
  })
  currency: string | null;
  @Field(() => Int) clicks: number;
  @Field(() => Int, { description: 'Conversions received in the range (any status), of this currency' })
  conversions: number;
  @Field(() => Float, { description: 'Sum of the payouts, in `currency` (never summed across currencies)' })
  revenue: number;
  @Field(() => Float, { nullable: true, description: 'conversions / clicks; null without clicks' })
  conversionRate: number | null;
  @Field(() => Float, { nullable: true, description: 'Earnings per click: revenue / clicks; null without clicks' })
  epc: number | null;
}

@ObjectType('Report')
export class ReportType {
  @Field({ description: 'First day (YYYY-MM-DD, inclusive) in `timeZone`' }) from: string;
  @Field({ description: 'Last day (YYYY-MM-DD, inclusive) in `timeZone`' }) to: string;
  @Field({ description: 'IANA time zone the days and hours are in' }) timeZone: string;
  @Field(() => Date, { description: 'The range as instants: from (inclusive)' }) startsAt: Date;
  @Field(() => Date, { description: 'The range as instants: to (exclusive)' }) endsAt: Date;
  @Field(() => [ReportDimension]) groupBy: ReportDimension[];
  @Field(() => [ReportRowType]) rows: ReportRowType[];
  @Field(() => [ReportRowType], { description: 'The whole range, one row per currency (no dimensions)' })
  totals: ReportRowType[];
}
