import { Field, ID, InputType, Int } from 'type-graphql';
import { CampaignStatus, TrackingMethod } from './campaign.type';

@InputType()
export class CampaignOfferInput {
  @Field(() => ID) offerId: string;
  @Field(() => Int, { nullable: true, description: 'Required (1–10000) when the campaign has more than one offer' })
  weight?: number | null;
}

@InputType()
export class CreateCampaignInput {
  @Field() name: string;
  @Field(() => ID) trafficChannelId: string;
  @Field(() => [CampaignOfferInput]) offers: CampaignOfferInput[];
  @Field(() => TrackingMethod) trackingMethod: TrackingMethod;
  @Field(() => String, {
    nullable: true,
    description: 'One of your tracking domains; omitted = your default tracking domain, if any',
  })
  trackingDomain?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Absolute http(s) URL without #fragment; required for DIRECT (to a website: default the website's URL)",
  })
  landingPageUrl?: string | null;
  @Field(() => String, { nullable: true }) fallbackUrl?: string | null;
  @Field(() => CampaignStatus, { nullable: true, description: 'Default ACTIVE' }) status?: CampaignStatus | null;
}

/** Omitted fields stay as they are; `null` clears an optional field. */
@InputType()
export class UpdateCampaignInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => ID, { nullable: true }) trafficChannelId?: string | null;
  @Field(() => [CampaignOfferInput], { nullable: true }) offers?: CampaignOfferInput[] | null;
  @Field(() => TrackingMethod, { nullable: true }) trackingMethod?: TrackingMethod | null;
  @Field(() => String, { nullable: true, description: 'null = the public tracking URL' }) trackingDomain?:
    string | null;
  @Field(() => String, { nullable: true }) landingPageUrl?: string | null;
  @Field(() => String, { nullable: true }) fallbackUrl?: string | null;
  @Field(() => Int, {
    nullable: true,
    description: 'If given, the update fails with CONFLICT unless the campaign still has this version',
  })
  expectedVersion?: number | null;
}
