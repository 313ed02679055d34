import { Field, ID, InputType } from 'type-graphql';
import { badInput } from '@snaptrack/util-federation';
import { requiredText } from '../common/text';
import { macroInOrigin } from '../common/url-template';

@InputType('CreateOfferInput')
export class CreateOfferInput {
  @Field() name: string;
  @Field({
    description: 'Absolute http(s) URL with the {clickid} macro, e.g. https://offer.example.com/lp?click={clickid}',
  })
  url: string;
  @Field(() => ID) offerSourceId: string;
}

@InputType('UpdateOfferInput')
export class UpdateOfferInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => ID, { nullable: true }) offerSourceId?: string | null;
}

export const CLICKID_MACRO = '{clickid}';

export function offerName(v: string | null | undefined): string {
  return requiredText(v, 'name', 'Offer name');
}

/** An absolute http(s) URL containing {clickid} (where campaign-service puts the click id on redirect). */
export function offerUrl(raw: string | null | undefined): string {
  const v = (raw ?? '').trim();
  const example = 'such as https://offer.example.com/landing?clickid={clickid}';
  if (!v) throw badInput(`Offer URL must not be empty: enter an absolute http(s) URL ${example}`, 'url');
  if (v.length > 2048) throw badInput('Offer URL must be at most 2048 characters', 'url');
  if (/\s/.test(v)) throw badInput('Offer URL must not contain spaces', 'url');
  // Before parsing: a placeholder in the port does not even parse, and the user should hear why.
  const macroAt = /^https?:/i.test(v) ? macroInOrigin(v) : /^\{/.test(v) ? 'scheme' : null;
  if (macroAt)
    throw badInput(
      `Offer URL must not contain a macro ({…}) in its ${macroAt}: the scheme, user info, host and port must be ` +
        `literal, so a click can never choose where visitors are sent (put macros in the path or query, ${example})`,
      'url',
    );
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw badInput(`Offer URL must be an absolute http(s) URL ${example}`, 'url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw badInput(`Offer URL must start with http:// or https:// (got ${u.protocol.slice(0, 20)})`, 'url');
  if (!u.hostname) throw badInput(`Offer URL must name a host, ${example}`, 'url');
  if (!v.includes(CLICKID_MACRO)) {
    throw badInput(
      `Offer URL must contain the ${CLICKID_MACRO} macro, so the offer can send the click ID back in its postback (${example})`,
      'url',
    );
  }
  return v;
}
