import { Field, ID, InputType, registerEnumType } from 'type-graphql';
import { badInput } from '@snaptrack/util-federation';
import { requiredText } from '../common/text';
import { macroInOrigin } from '@snaptrack/contracts-events';

export enum OfferKindEnum {
  OFFER = 'OFFER',
  WEBSITE = 'WEBSITE',
}
registerEnumType(OfferKindEnum, {
  name: 'OfferKind',
  valuesConfig: {
    OFFER: { description: "A network's offer: conversions arrive as postbacks" },
    WEBSITE: {
      description:
        "The advertiser's own site: campaigns send traffic to it directly; conversions come from its pages " +
        '(/track.js) or its backend (POST /conversions with the website secret)',
    },
  },
});

@InputType('CreateOfferInput')
export class CreateOfferInput {
  @Field() name: string;
  @Field({
    description:
      'Offer: absolute http(s) URL with the {clickid} macro, e.g. https://offer.example.com/lp?click={clickid}; ' +
      "website: its landing page, e.g. https://shop.example.com/ (the website's domain is its host)",
  })
  url: string;
  @Field(() => ID) offerSourceId: string;
  @Field(() => OfferKindEnum, { nullable: true, description: 'Default OFFER' }) kind?: OfferKindEnum | null;
  @Field(() => [String], {
    nullable: true,
    description:
      'Website only: origins (https://shop.example.com) whose pages may report conversions from the browser; ' +
      "default: the origin of url. At most 20, each scheme://host[:port] of the website's domain or a subdomain",
  })
  allowedOrigins?: string[] | null;
}

@InputType('UpdateOfferInput')
export class UpdateOfferInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => ID, { nullable: true }) offerSourceId?: string | null;
  @Field(() => [String], { nullable: true, description: 'Website only; see CreateOfferInput.allowedOrigins' })
  allowedOrigins?: string[] | null;
}

export const CLICKID_MACRO = '{clickid}';

export function offerName(v: string | null | undefined): string {
  return requiredText(v, 'name', 'Offer name');
}

/** An absolute http(s) URL containing {clickid} (where campaign-service puts the click id on redirect). */
export function offerUrl(raw: string | null | undefined, kind: 'OFFER' | 'WEBSITE' = 'OFFER'): string {
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
  if (kind === 'WEBSITE') {
    if (/\{[^}]*\}/.test(v))
      throw badInput(
        'A website URL is its landing page: it takes no macro ({…}), e.g. https://shop.example.com/',
        'url',
      );
    return v;
  }
  if (!v.includes(CLICKID_MACRO)) {
    throw badInput(
      `Offer URL must contain the ${CLICKID_MACRO} macro, so the offer can send the click ID back in ` +
        `its postback (${example})`,
      'url',
    );
  }
  return v;
}

/** The website's domain: the lowercase host of its URL. */
export function websiteDomain(url: string): string {
  return new URL(url).hostname.toLowerCase();
}

const MAX_ORIGINS = 20;

/**
 * Origins a website's pages report browser conversions from: `scheme://host[:port]`, http(s), on the website's
 * domain or one of its subdomains (a shop's `www.` and checkout hosts); normalised as browsers send `Origin`.
 * Omitted or empty: the origin of the website URL.
 */
export function allowedOrigins(raw: string[] | null | undefined, url: string): string[] {
  const domain = websiteDomain(url);
  const list = raw && raw.length ? raw : [new URL(url).origin];
  if (list.length > MAX_ORIGINS) throw badInput(`At most ${MAX_ORIGINS} allowed origins`, 'allowedOrigins');
  const out = new Set<string>();
  for (const item of list) {
    const v = (item ?? '').trim();
    let u: URL | null = null;
    try {
      u = new URL(v);
    } catch {
      u = null;
    }
    if (
      !u ||
      (u.protocol !== 'https:' && u.protocol !== 'http:') ||
      u.origin === 'null' ||
      u.origin !== v.replace(/\/$/, '')
    )
      throw badInput(
        'Allowed origins are scheme://host[:port] without a path, e.g. https://shop.example.com ' +
          `(got "${v.slice(0, 80)}")`,
        'allowedOrigins',
      );
    const host = u.hostname.toLowerCase();
    if (host !== domain && !host.endsWith(`.${domain}`))
      throw badInput(
        `Allowed origin ${u.origin} is not on the website's domain ${domain} (or a subdomain of it)`,
        'allowedOrigins',
      );
    out.add(u.origin);
  }
  return [...out];
}
