import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../common/pagination';
import type { OfferEntity } from './offer.entity';
import { OfferKindEnum } from './offer.input';

@Directive('@key(fields: "id")')
@ObjectType('Offer', {
  description: "What a campaign sends clicks to; its pixels receive the offer's conversions from every channel",
})
export class OfferType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() url: string;
  @Field(() => ID) offerSourceId: string;
  @Field(() => OfferKindEnum) kind: OfferKindEnum;
  @Field(() => String, { nullable: true, description: 'Website only: its domain (the host of url)' })
  domain: string | null;
  @Field(() => [String], { description: 'Website only: origins whose pages may report browser conversions' })
  allowedOrigins: string[];
  @Field({ description: 'Website only: whether it has a conversion secret (only its hash is stored)' })
  hasConversionSecret: boolean;
  @Field(() => String, { nullable: true, description: 'Website only: the last characters of its secret, ****Xy9Q' })
  conversionSecretHint: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Website only: the secret a shop backend presents to POST /conversions (Authorization: Bearer …), in clear ' +
      'only in the answer of createOffer and rotateWebsiteSecret, once; null everywhere else',
  })
  conversionSecret: string | null;
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: OfferEntity, secret: string | null = null): OfferType {
    return Object.assign(new OfferType(), {
      id: e.id,
      name: e.name,
      url: e.url,
      offerSourceId: e.offerSourceId,
      kind: e.kind === 'WEBSITE' ? OfferKindEnum.WEBSITE : OfferKindEnum.OFFER,
      domain: e.domain ?? null,
      allowedOrigins: e.allowedOrigins ?? [],
      hasConversionSecret: !!e.conversionSecretSha256,
      conversionSecretHint: e.conversionSecretSha256 ? e.conversionSecretHint : null,
      conversionSecret: secret,
      version: e.version,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('OfferConnection')
export class OfferConnection extends Connection(OfferType) {}
