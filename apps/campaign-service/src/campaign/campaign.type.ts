import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '@snaptrack/util-federation';
import { OfferRef } from '../federation/stubs.type';

export enum TrackingMethod {
  REDIRECT = 'REDIRECT',
  DIRECT = 'DIRECT',
}
registerEnumType(TrackingMethod, {
  name: 'TrackingMethod',
  description: 'How clicks are captured',
  valuesConfig: {
    REDIRECT: {
      description: 'The ad links to the tracking domain, which records the click and redirects (302) to the offer',
    },
    DIRECT: {
      description:
        'No redirect: the ad links straight to the landing page, whose /track.js snippet records the ' +
        'click (recommended for Snapchat)',
    },
  },
});

export enum CampaignStatus {
  ACTIVE = 'ACTIVE',
  PAUSED = 'PAUSED',
}
registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description: 'A paused campaign records no clicks (404, or its fallback URL)',
});

@ObjectType('CampaignOffer', { description: 'An offer of a campaign with its rotation weight' })
export class CampaignOfferType {
  @Field(() => OfferRef) offer: OfferRef;
  @Field(() => Int, { description: 'Relative share of clicks sent to this offer' }) weight: number;
}

/**
 * The GraphQL shape of a campaign. Resolvers return the `Campaign` entity; the computed fields (links, offers,
 * click counts) are field resolvers.
 */
@Directive('@key(fields: "id")')
@ObjectType('Campaign')
export class CampaignType {
  @Field(() => ID) id: string;
  @Field({ description: 'Public key of the campaign in its tracking link (unguessable)' }) key: string;
  @Field() name: string;
  @Field(() => String, {
    nullable: true,
    description: "Tracking domain hostname; null = the installation's public tracking URL",
  })
  trackingDomain: string | null;
  @Field(() => TrackingMethod) trackingMethod: TrackingMethod;
  @Field(() => String, { nullable: true, description: 'Landing page (required for DIRECT)' }) landingPageUrl:
    string | null;
  @Field(() => String, { nullable: true, description: 'Where a paused campaign sends visitors instead of a 404' })
  fallbackUrl: string | null;
  @Field(() => CampaignStatus) status: CampaignStatus;
  @Field(() => Int) version: number;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) updatedAt: Date;
}

@ObjectType('CampaignConnection')
export class CampaignConnection {
  @Field(() => [CampaignType]) nodes: CampaignType[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'All campaigns of the list (with its status filter), on every page' })
  totalCount: number;
}
