import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * Entities owned by other subgraphs, referenced by id only (the gateway resolves the rest from their owner):
 * Campaign (campaign-service), Offer, TrafficChannel, OfferSource and ConversionType (config-service).
 */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Campaign')
export class CampaignRef {
  @Field(() => ID) id: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Offer')
export class OfferRef {
  @Field(() => ID) id: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('TrafficChannel')
export class TrafficChannelRef {
  @Field(() => ID) id: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('OfferSource')
export class OfferSourceRef {
  @Field(() => ID) id: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('ConversionType')
export class ConversionTypeRef {
  @Field(() => ID) id: string;
}

export const ref = <T extends { id: string }>(id: string | null): T | null => (id ? ({ id } as T) : null);
