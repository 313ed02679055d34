import { TOKEN_PARAM } from './offer-source.input';

/** Shown in place of the secret, which we never store in clear. */
export const TOKEN_PLACEHOLDER = 'YOUR_POSTBACK_TOKEN';

/**
 * The postback URL the offer network must call (pure). Each value is a `{macro}` the network replaces with its own
 * macro for that value: `{clickid}`, `{payout}`, `{type}`, `{eventid}`, `{currency}`, and for additional parameters
 * the role name (`{email}`, `{phone}`, `{first_name}`, `{last_name}`, `{zip}`, `{city}`, `{state}`, `{country}`,
 * `{external_id}`). When the source has a postback token, `token=YOUR_POSTBACK_TOKEN` asks the user to put the
 * secret in.
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
  if (s.hasPostbackToken) pairs.push([TOKEN_PARAM, TOKEN_PLACEHOLDER]);
  return `${base.replace(/\/+$/, '')}/postback?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}`;
}

/** `https://<default tracking domain>` or, without one, the configured public tracking URL. */
export function trackingBase(defaultHostname: string | null, publicTrackingUrl: string): string {
  return defaultHostname ? `https://${defaultHostname}` : publicTrackingUrl;
}
