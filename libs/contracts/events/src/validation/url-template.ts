// The rule for the URL templates of offers, landing pages and fallbacks (config.entity.v1 `offer.url` and the
// campaign URLs): config-service refuses such a template when it is saved, campaign-service when a campaign is saved
// and again at click time. Contracts import nothing of ours, so this is a plain function over strings.

/**
 * Where a `{…}` placeholder sits in the part of a URL template that decides where a visitor is sent: scheme, user
 * info, host or port (read the way WHATWG URL parsing reads http(s) URLs: `\` counts as `/`, and `https:host` has a
 * host too). A placeholder there would let a click's query string choose the destination (an open redirect), so
 * saving such a URL is refused. Returns the part, or null when placeholders are only in the path, query or fragment.
 */
export function macroInOrigin(template: string): 'scheme' | 'user info' | 'host' | 'port' | null {
  const t = template.trim();
  const colon = t.indexOf(':');
  const scheme = colon < 0 ? t : t.slice(0, colon);
  if (/[{}]/.test(scheme)) return 'scheme';
  if (colon < 0) return null;
  const rest = t.slice(colon + 1).replace(/^[/\\]*/, '');
  const authority = rest.slice(0, rest.search(/[/\\?#]|$/));
  if (!/[{}]/.test(authority)) return null;
  const at = authority.lastIndexOf('@');
  if (at >= 0 && /[{}]/.test(authority.slice(0, at))) return 'user info';
  const hostPort = authority.slice(at + 1);
  const portColon = hostPort.lastIndexOf(':');
  if (portColon >= 0 && !hostPort.endsWith(']') && /[{}]/.test(hostPort.slice(portColon + 1))) return 'port';
  return 'host';
}
