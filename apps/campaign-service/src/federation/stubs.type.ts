import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Owned by config-service; referenced here by key only (the gateway fetches the rest from config-service). */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('TrafficChannel')
export class TrafficChannelRef {
  @Field(() => ID) id: string;
}

/** Owned by config-service; referenced here by key only. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Offer')
export class OfferRef {
  @Field(() => ID) id: string;
}
