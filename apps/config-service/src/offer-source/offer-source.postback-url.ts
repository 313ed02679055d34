import { SECRET_PARAM } from './offer-source.input';

/** Shown in place of the secret, which we never store in clear. */
export const SECRET_PLACEHOLDER = '{secret}';

/**
 * The postback URL the offer network must call (pure). Each value is a `{macro}` the network replaces with its own
 * macro for that value: `{clickid}`, `{payout}`, `{type}`, `{eventid}`, `{currency}`, and for additional parameters
 * the role name (`{email}`, `{phone}`, `{first_name}`, `{last_name}`, `{zip}`, `{city}`, `{state}`, `{country}`,
 * `{external_id}`). When the source has a postback secret, `secret={secret}` asks the user to put the secret in;
 * only right after creation or rotation is the secret itself (`postbackSecret`) known, and then it is filled in.
 */
export function buildPostbackUrl(
  base: string,
  s: {
    clickIdParam: string;
    payoutParam: string;
    typeParam: string;
    eventIdParam: string;
    currencyParam: string;
    additionalParameters: ReadonlyArray<{ param: string; role: string }>;
    hasPostbackToken: boolean;
    postbackSecret?: string | null;
  },
): string {
  const pairs: Array<[string, string]> = [
    [s.clickIdParam, '{clickid}'],
    [s.payoutParam, '{payout}'],
    [s.typeParam, '{type}'],
    [s.eventIdParam, '{eventid}'],
    [s.currencyParam, '{currency}'],
    ...s.additionalParameters.map((a): [string, string] => [a.param, `{${a.role}}`]),
  ];
  if (s.postbackSecret) pairs.push([SECRET_PARAM, encodeURIComponent(s.postbackSecret)]);
  else if (s.hasPostbackToken) pairs.push([SECRET_PARAM, SECRET_PLACEHOLDER]);
  return `${base.replace(/\/+$/, '')}/postback?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}`;
}

/** `https://<default tracking domain>` or, without one, the configured public tracking URL. */
export function trackingBase(defaultHostname: string | null, publicTrackingUrl: string): string {
  return defaultHostname ? `https://${defaultHostname}` : publicTrackingUrl;
}
