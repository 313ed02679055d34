import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { KeyValue, PageInfo } from '@snaptrack/util-federation';
import { OfferRef, TrafficChannelRef } from '../federation/stubs.type';

/** A recorded click (read model, eventually consistent with click.recorded.v1). */
@Directive('@key(fields: "id")')
@ObjectType('Click')
export class ClickType {
  @Field(() => ID, { description: 'The click id sent to offers as {clickid}' }) id: string;
  @Field(() => ID) campaignId: string;
  @Field(() => TrafficChannelRef) trafficChannel: TrafficChannelRef;
  @Field(() => OfferRef) offer: OfferRef;
  @Field(() => String, { description: 'redirect or direct: how the click was captured' }) trackingMethod: string;
  @Field(() => String, { nullable: true, description: 'Snapchat click id (ScCid)' }) scClickId: string | null;
  @Field(() => String, { nullable: true }) ip: string | null;
  @Field(() => String, { nullable: true }) userAgent: string | null;
  @Field(() => String, { nullable: true }) referrer: string | null;
  @Field(() => String, { nullable: true }) landingUrl: string | null;
  @Field(() => [KeyValue], { description: 'Every tracking parameter of the click' }) params: KeyValue[];
  @Field(() => Date) clickedAt: Date;
}

@ObjectType('ClickConnection')
export class ClickConnection {
  @Field(() => [ClickType]) nodes: ClickType[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'All clicks of the campaign recorded so far' }) totalCount: number;
}
