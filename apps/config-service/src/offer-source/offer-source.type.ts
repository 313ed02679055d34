import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../common/pagination';
import type { OfferSourceEntity } from './offer-source.entity';
import { PostbackParameterRole } from './offer-source.input';

@ObjectType('OfferSourceParameter')
export class OfferSourceParameterType {
  @Field() param: string;
  @Field(() => PostbackParameterRole) role: PostbackParameterRole;
}

@Directive('@key(fields: "id")')
@ObjectType('OfferSource', { description: 'An affiliate network or advertiser that reports conversions by postback' })
export class OfferSourceType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() clickIdParam: string;
  @Field() payoutParam: string;
  @Field() typeParam: string;
  @Field() eventIdParam: string;
  @Field() currencyParam: string;
  @Field(() => [OfferSourceParameterType]) additionalParameters: OfferSourceParameterType[];
  @Field({ description: 'Whether postbacks must carry the postback token (write-only)' }) hasPostbackToken: boolean;
  @Field(() => String, { nullable: true, description: 'Masked hint of the postback token' }) postbackTokenHint:
    string | null;
  @Field(() => Int) clickExpirationDays: number;
  @Field() defaultCurrency: string;
  @Field(() => String, { nullable: true }) defaultPhoneCountry: string | null;
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: OfferSourceEntity): OfferSourceType {
    return Object.assign(new OfferSourceType(), {
      id: e.id,
      name: e.name,
      clickIdParam: e.clickIdParam,
      payoutParam: e.payoutParam,
      typeParam: e.typeParam,
      eventIdParam: e.eventIdParam,
      currencyParam: e.currencyParam,
      additionalParameters: e.additionalParams.map((a) => ({ param: a.param, role: a.role as PostbackParameterRole })),
      hasPostbackToken: e.postbackTokenSha256 !== null,
      postbackTokenHint: e.postbackTokenSha256 !== null ? e.postbackTokenHint : null,
      clickExpirationDays: e.clickExpirationDays,
      defaultCurrency: e.defaultCurrency,
      defaultPhoneCountry: e.defaultPhoneCountry,
      version: e.version,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('OfferSourceConnection')
export class OfferSourceConnection extends Connection(OfferSourceType) {}
