import { Field, InputType, Int, registerEnumType } from 'type-graphql';
import { currencyProblem } from '@snaptrack/contracts-events';
import { COUNTRY_CODES, type PiiRole } from '@snaptrack/util-pii';
import { badInput } from '@snaptrack/util-federation';
import { assertDistinct, paramName, requiredText } from '../common/text';
import type { AdditionalParameter } from './offer-source.entity';

/** Roles of additional postback parameters: the customer data they carry (hashed before it leaves us). */
export enum PostbackParameterRole {
  EMAIL = 'email',
  PHONE = 'phone',
  FIRST_NAME = 'first_name',
  LAST_NAME = 'last_name',
  ZIP = 'zip',
  CITY = 'city',
  STATE = 'state',
  COUNTRY = 'country',
  EXTERNAL_ID = 'external_id',
}
registerEnumType(PostbackParameterRole, {
  name: 'PostbackParameterRole',
  description: 'What an additional postback parameter carries',
});
// Every role is one util-pii knows how to normalise and hash.
const _roleCheck: Record<`${PostbackParameterRole}`, PiiRole> = {
  email: 'email',
  phone: 'phone',
  first_name: 'first_name',
  last_name: 'last_name',
  zip: 'zip',
  city: 'city',
  state: 'state',
  country: 'country',
  external_id: 'external_id',
};
void _roleCheck;

@InputType('OfferSourceParameterInput', { description: 'An additional postback parameter and the role of its value' })
export class OfferSourceParameterInput {
  @Field({ description: 'Query parameter name the network sends, e.g. email' }) param: string;
  @Field(() => PostbackParameterRole) role: PostbackParameterRole;
}

@InputType('CreateOfferSourceInput')
export class CreateOfferSourceInput {
  @Field() name: string;
  @Field(() => String, { nullable: true, description: 'Default "clickid"' }) clickIdParam?: string | null;
  @Field(() => String, { nullable: true, description: 'Default "sum"' }) payoutParam?: string | null;
  @Field(() => String, { nullable: true, description: 'Default "type"' }) typeParam?: string | null;
  @Field(() => String, { nullable: true, description: 'Default "eventid"' }) eventIdParam?: string | null;
  @Field(() => String, { nullable: true, description: 'Default "currency"' }) currencyParam?: string | null;
  @Field(() => [OfferSourceParameterInput], { nullable: true }) additionalParameters?:
    OfferSourceParameterInput[] | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Deprecated: a postback secret of your own choosing (8-128 characters). Leave it out: a random ' +
      'secret is generated and returned once',
  })
  postbackToken?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    description:
      'Explicit opt-out (default false): accept postbacks without the secret. Anyone who knows a click ' +
      'id can then report conversions',
  })
  acceptUnsignedPostbacks?: boolean | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Days after the click a conversion is still attributed (default 30)',
  })
  clickExpirationDays?: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'ISO 4217 code used when a postback names no currency (default USD)',
  })
  defaultCurrency?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'ISO 3166-1 alpha-2 country for phone numbers without a country code',
  })
  defaultPhoneCountry?: string | null;
}

@InputType('UpdateOfferSourceInput', { description: 'Omitted fields keep their value' })
export class UpdateOfferSourceInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) clickIdParam?: string | null;
  @Field(() => String, { nullable: true }) payoutParam?: string | null;
  @Field(() => String, { nullable: true }) typeParam?: string | null;
  @Field(() => String, { nullable: true }) eventIdParam?: string | null;
  @Field(() => String, { nullable: true }) currencyParam?: string | null;
  @Field(() => [OfferSourceParameterInput], { nullable: true, description: 'Replaces the additional parameters' })
  additionalParameters?: OfferSourceParameterInput[] | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Deprecated (use rotatePostbackSecret): replaces the postback secret with one of your choosing, at once',
  })
  postbackToken?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Deprecated: true removes the postback secret and accepts unsigned postbacks',
  })
  clearPostbackToken?: boolean | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'true: accept postbacks without the secret (open); false: require the secret',
  })
  acceptUnsignedPostbacks?: boolean | null;
  @Field(() => Int, { nullable: true }) clickExpirationDays?: number | null;
  @Field(() => String, { nullable: true }) defaultCurrency?: string | null;
  @Field(() => String, { nullable: true, description: 'An empty string clears it' }) defaultPhoneCountry?:
    string | null;
}

export const DEFAULT_PARAMS = {
  clickIdParam: 'clickid',
  payoutParam: 'sum',
  typeParam: 'type',
  eventIdParam: 'eventid',
  currencyParam: 'currency',
} as const;
export type FixedParamKey = keyof typeof DEFAULT_PARAMS;
const FIXED_LABELS: Record<FixedParamKey, string> = {
  clickIdParam: 'Click ID parameter',
  payoutParam: 'Payout parameter',
  typeParam: 'Type parameter',
  eventIdParam: 'Event ID parameter',
  currencyParam: 'Currency parameter',
};
/** Reserved: generated postback URLs carry the postback secret under this name. */
export const SECRET_PARAM = 'secret';
/** Reserved: the name postback URLs made before postback secrets carried it under (still read). */
export const TOKEN_PARAM = 'token';
const RESERVED_PARAMS = [SECRET_PARAM, TOKEN_PARAM];

export function offerSourceName(v: string | null | undefined): string {
  return requiredText(v, 'name', 'Offer source name');
}

export function fixedParam(key: FixedParamKey, v: string): string {
  return paramName(v, key, FIXED_LABELS[key]);
}

export function additionalParameters(list: OfferSourceParameterInput[]): AdditionalParameter[] {
  if (list.length > 20) throw badInput('An offer source has at most 20 additional parameters', 'additionalParameters');
  const out = list.map((p) => ({
    param: paramName(p.param, 'additionalParameters', 'Additional parameter name'),
    role: p.role as PiiRole,
  }));
  assertDistinct(
    out.map((p) => p.role),
    'additionalParameters',
    'Role',
  );
  return out;
}

/** Every parameter name of the postback, fixed and additional, must be distinct (and not `secret` or `token`). */
export function assertParamNamesDistinct(
  fixed: Record<FixedParamKey, string>,
  additional: AdditionalParameter[],
): void {
  const names = [...Object.values(fixed), ...additional.map((a) => a.param)];
  const reserved = names.find((n) => RESERVED_PARAMS.includes(n));
  if (reserved)
    throw badInput(
      `"${reserved}" is reserved for the postback secret; choose another parameter name`,
      'additionalParameters',
    );
  assertDistinct(names, 'additionalParameters', 'Postback parameter');
}

export function postbackToken(raw: string): string {
  const v = raw.trim();
  if (v.length < 8 || v.length > 128 || !/^[A-Za-z0-9._~-]+$/.test(v)) {
    throw badInput(
      'Postback token must be 8-128 characters of letters, digits and . _ ~ - (it travels in the postback URL)',
      'postbackToken',
    );
  }
  return v;
}

/** Hours the previous secret stays accepted after a rotation: 0 (refused at once) to 720 (30 days). */
export function overlapHours(v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 720)
    throw badInput('The overlap must be a whole number of hours between 0 and 720', 'overlapHours');
  return v;
}

export function clickExpirationDays(v: number): number {
  if (!Number.isInteger(v) || v < 1 || v > 365)
    throw badInput('Click expiration must be a whole number of days between 1 and 365', 'clickExpirationDays');
  return v;
}

/**
 * The platform's one currency list (@snaptrack/contracts-events: ISO 4217 List One, what Snap accepts), not
 * `Intl.supportedValuesOf('currency')`, which still knows withdrawn codes such as HRK that Snap refuses.
 */
export function currency(raw: string): string {
  const problem = currencyProblem(raw);
  if (problem) throw badInput(problem, 'defaultCurrency');
  return raw.trim().toUpperCase();
}

/** ISO 3166-1 alpha-2, stored uppercase; '' clears. */
export function phoneCountry(raw: string): string | null {
  const v = raw.trim().toUpperCase();
  if (!v) return null;
  if (!/^[A-Z]{2}$/.test(v) || !COUNTRY_CODES.has(v.toLowerCase())) {
    throw badInput(
      `"${raw.trim().slice(0, 20)}" is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, DE)`,
      'defaultPhoneCountry',
    );
  }
  return v;
}
