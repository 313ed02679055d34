import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../common/pagination';
import type { OfferSourceEntity } from './offer-source.entity';
import { PostbackParameterRole } from './offer-source.input';

export enum PostbackSecurity {
  SECRET_REQUIRED = 'SECRET_REQUIRED',
  OPEN = 'OPEN',
}
registerEnumType(PostbackSecurity, {
  name: 'PostbackSecurity',
  description:
    'SECRET_REQUIRED: postbacks must carry the secret. OPEN: anyone who knows a click id can post conversions',
});

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
  @Field({
    description: 'Whether the offer source has a postback secret',
    deprecationReason: 'Use hasPostbackSecret',
  })
  hasPostbackToken: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'Masked hint of the postback secret',
    deprecationReason: 'Use postbackSecretHint',
  })
  postbackTokenHint: string | null;
  @Field({ description: 'Whether the offer source has a postback secret (write-only: only its hash is stored)' })
  hasPostbackSecret: boolean;
  @Field(() => String, { nullable: true, description: 'The last characters of the postback secret, e.g. ****Xy9Q' })
  postbackSecretHint: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'The postback secret in clear: only in the answer of createOfferSource and rotatePostbackSecret, ' +
      'once (like an API key); null everywhere else',
  })
  postbackSecret: string | null;
  @Field(() => Date, {
    nullable: true,
    description: 'Until when the secret replaced by the last rotation is still accepted',
  })
  previousPostbackSecretExpiresAt: Date | null;
  @Field({ description: 'true: postbacks without the secret are accepted (explicit opt-out)' })
  acceptUnsignedPostbacks: boolean;
  @Field({ description: 'true when postbacks without the secret are accepted: show a warning' }) isOpen: boolean;
  @Field(() => PostbackSecurity) postbackSecurity: PostbackSecurity;
  @Field(() => Int) clickExpirationDays: number;
  @Field() defaultCurrency: string;
  @Field(() => String, { nullable: true }) defaultPhoneCountry: string | null;
  @Field(() => Int) version: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(e: OfferSourceEntity, secret: string | null = null): OfferSourceType {
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
      hasPostbackSecret: e.postbackTokenSha256 !== null,
      postbackSecretHint: e.postbackTokenSha256 !== null ? e.postbackTokenHint : null,
      postbackSecret: secret,
      previousPostbackSecretExpiresAt: e.previousPostbackTokenSha256 !== null ? e.previousPostbackTokenExpiresAt : null,
      acceptUnsignedPostbacks: e.acceptUnsignedPostbacks,
      isOpen: e.acceptUnsignedPostbacks,
      postbackSecurity: e.acceptUnsignedPostbacks ? PostbackSecurity.OPEN : PostbackSecurity.SECRET_REQUIRED,
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
