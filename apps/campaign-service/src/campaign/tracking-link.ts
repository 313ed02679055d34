import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const CAMPAIGN_KEY_LENGTH = 12;
/** What the tracking host routes to campaign-service as a campaign key (`/<key>`). */
export const CAMPAIGN_KEY_PATTERN = /^[A-Za-z0-9]{10,32}$/;

/** 12 base62 characters (≈71 bits) from the CSPRNG, without modulo bias. */
export function newCampaignKey(length = CAMPAIGN_KEY_LENGTH): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62]; // 248 = 4 * 62
    }
  }
  return out;
}

/**
 * Encodes a parameter value for a tracking link, leaving `{` and `}` as they are: Snapchat substitutes macros such as
 * `{{campaign.id}}` only when the braces arrive unencoded.
 */
export function encodeLinkValue(value: string): string {
  return encodeURIComponent(value).replace(/%7B/gi, '{').replace(/%7D/gi, '}');
}

export function linkQuery(pairs: Array<{ name: string; value: string }>): string {
  return pairs.map((p) => `${encodeURIComponent(p.name)}=${encodeLinkValue(p.value)}`).join('&');
}

/** `https://<domain>` for a campaign with a tracking domain, else the configured public tracking URL. */
export function trackingBase(domain: string | null, publicTrackingUrl: string): string {
  return domain ? `https://${domain}` : publicTrackingUrl.replace(/\/+$/, '');
}

export interface LinkSpec {
  key: string;
  trackingMethod: 'REDIRECT' | 'DIRECT';
  landingPageUrl: string | null;
  parameters: Array<{ name: string; value: string }>;
}

/**
 * The link to paste into Snapchat Ads Manager.
 * - redirect: `<base>/<key>?<channel parameters>`;
 * - direct: `<landing page URL>` (its own query kept) + `cmpid=<key>` + the channel parameters.
 * Snapchat appends `&ScCid=…`; both shapes stay valid URLs when it does.
 */
export function trackingLink(spec: LinkSpec, base: string): string {
  if (spec.trackingMethod === 'DIRECT') {
    const landing = spec.landingPageUrl ?? '';
    const query = linkQuery([{ name: 'cmpid', value: spec.key }, ...spec.parameters]);
    const sep = !landing.includes('?') ? '?' : landing.endsWith('?') || landing.endsWith('&') ? '' : '&';
    return `${landing}${sep}${query}`;
  }
  const query = linkQuery(spec.parameters);
  return `${base}/${spec.key}${query ? `?${query}` : ''}`;
}

/** The tag a direct-method landing page needs (served by this service through the tracking host). */
export function scriptTag(base: string): string {
  return `<script src="${base}/track.js" async></script>`;
}
