import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../common/pagination';
import type { OfferEntity } from './offer.entity';

@Directive('@key(fields: "id")')
@ObjectType('Offer', {
  description: "What a campaign sends clicks to; its pixels receive the offer's conversions from every channel",
})
export class OfferType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() url: string;
  @Field(() => ID) offerSourceId: string;
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: OfferEntity): OfferType {
    return Object.assign(new OfferType(), {
      id: e.id,
      name: e.name,
      url: e.url,
      offerSourceId: e.offerSourceId,
      version: e.version,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('OfferConnection')
export class OfferConnection extends Connection(OfferType) {}
