import { macroInOrigin } from '@snaptrack/contracts-events';

/**
 * Offer URL macros. `{name}` in an offer URL is replaced by the URL-encoded value:
 * - `{clickid}` (alias `{click_id}`): our click id — the value the offer network must send back in its postback;
 * - `{campaign_id}`, `{campaign_key}`, `{traffic_channel_id}`, `{offer_id}`, `{offer_source_id}`;
 * - `{sccid}`: Snapchat's click id (`ScCid`);
 * - any tracking parameter of the click by its name, e.g. `{sub1}` … `{sub10}`, `{utm_source}`.
 * A macro with no value becomes the empty string, so offers never receive a literal `{sub7}`.
 */
export const BUILT_IN_MACROS = [
  'clickid',
  'click_id',
  'campaign_id',
  'campaign_key',
  'traffic_channel_id',
  'offer_id',
  'offer_source_id',
  'sccid',
] as const;
export type BuiltInMacro = (typeof BUILT_IN_MACROS)[number];

const MACRO = /\{([A-Za-z0-9_.-]{1,64})\}/g;
const UNSAFE = /[\u0000-\u0020\u007f]/;
export const MAX_REDIRECT_URL_LENGTH = 8192;

export function fillOfferUrl(
  template: string,
  builtIns: Partial<Record<BuiltInMacro, string | null>>,
  params: Record<string, string>,
): string {
  const lowerParams = new Map<string, string>();
  for (const [k, v] of Object.entries(params))
    if (!lowerParams.has(k.toLowerCase())) lowerParams.set(k.toLowerCase(), v);
  return template.replace(MACRO, (_m, name: string) => {
    const lower = name.toLowerCase();
    let value: string | null | undefined;
    if ((BUILT_IN_MACROS as readonly string[]).includes(lower)) value = builtIns[lower as BuiltInMacro];
    if (value === undefined || value === null)
      value = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : lowerParams.get(lower);
    return encodeURIComponent(value ?? '');
  });
}

/**
 * The only URLs we ever put in a Location header: absolute http(s), a host, no credentials, no whitespace or
 * control characters (so no CR/LF header injection), and not absurdly long. Returns the normalised href or a
 * problem a person can act on.
 */
export function safeRedirectUrl(candidate: string): { url: string } | { problem: string } {
  if (UNSAFE.test(candidate)) return { problem: 'contains whitespace or control characters' };
  let u: URL;
  try {
    u = new URL(candidate);
  } catch {
    return { problem: 'is not an absolute URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { problem: `uses ${u.protocol} (only http and https are allowed)` };
  if (!u.hostname) return { problem: 'has no host' };
  if (u.username || u.password) return { problem: 'must not carry credentials' };
  if (u.href.length > MAX_REDIRECT_URL_LENGTH)
    return { problem: `is longer than ${MAX_REDIRECT_URL_LENGTH} characters` };
  return { url: u.href };
}

/**
 * The part of a URL template that decides where a visitor is sent must be literal (the platform's rule in
 * @snaptrack/contracts-events, which config-service applies too): checked when a campaign is saved and below at click
 * time.
 */
export { macroInOrigin };

/**
 * Defence in depth at click time: the filled URL keeps the template's scheme and host (and port), so no macro value
 * can move a visitor to another site even if a template with a placeholder in its origin was stored before the
 * save-time check existed.
 */
export function keepsTemplateOrigin(template: string, filledUrl: string): boolean {
  if (macroInOrigin(template)) return false;
  try {
    const t = new URL(template.trim());
    const u = new URL(filledUrl);
    return t.protocol === u.protocol && t.host === u.host;
  } catch {
    return false;
  }
}
