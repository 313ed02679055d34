import { signIdentity } from '@snaptrack/util-federation';

/**
 * signIdentity for each subgraph call, with each account's header reused within the second it was made for (the
 * header only carries whole seconds, so the value is the same): one HMAC per account per second instead of one per
 * call. Holds at most `maxEntries` accounts; the map is emptied when the second turns or it is full.
 */
export function cachedIdentitySigner(secret: string, maxEntries = 10_000, nowMs: () => number = Date.now) {
  let second = -1;
  const headers = new Map<string, string>();
  return (accountId: string): string => {
    const s = Math.floor(nowMs() / 1000);
    if (s !== second || headers.size >= maxEntries) {
      headers.clear();
      second = s;
    }
    let h = headers.get(accountId);
    if (h === undefined) {
      h = signIdentity(accountId, secret, s);
      headers.set(accountId, h);
    }
    return h;
  };
}
