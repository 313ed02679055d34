import { createHash } from 'node:crypto';

/**
 * `/track.js`, the no-redirect snippet. On the landing page it:
 * 1. derives the tracking origin from its own `src` (document.currentScript), so `/click` goes to the same host;
 * 2. reads `cmpid` (the campaign key) from location.search — without it, it does nothing;
 * 3. reuses the click id in the first-party cookie `snaptrack_clickid_<key>` if there is one (a returning visitor is
 *    not a new click), else calls `GET <origin>/click?<the page's query>&_lp=<page URL>&_ref=<referrer>` (no
 *    credentials; the endpoint answers with `Access-Control-Allow-Origin: *`) and stores the returned click id in
 *    that cookie for `cookieDays` days;
 * 4. puts the click id into offer links: `{clickid}` (or `%7Bclickid%7D`) in any href is replaced; links with a
 *    `data-snaptrack-offer` attribute, or whose href points at the offer URL's host and path, get `clickid=<id>`
 *    (an empty or `#` href on a `data-snaptrack-offer` link becomes the offer URL); links added later are handled too;
 * 5. exposes `window.snaptrack = { clickId, campaignKey, offerUrl, conversion }` and dispatches a `snaptrack:click`
 *    event on `document` (detail: the same object);
 * 6. when Snapchat's first-party cookie `_scid` (set by the Snap Pixel) is present, sends it with the click (`_scid`),
 *    so the click records it as `sc_cookie1`;
 * 7. keeps the latest click id of the site in the first-party cookie `snaptrack_clickid` too, so a page without
 *    `cmpid` (the thank-you page) can report a conversion.
 *
 * On every page (with or without `cmpid`), `snaptrack.conversion({ type, value, currency, eventId, orderId, email,
 * phone, firstName, lastName, zip, city, state, country, externalId, clickId })` posts the conversion to
 * `<origin>/conversions/browser` (JSON, no credentials; the click id comes from `snaptrack_clickid` unless given) and
 * returns a Promise of `{ eventId, conversionId, status }`. Without an `eventId` it makes a random one; either way
 * that is the event_id Snapchat's Conversions API receives, so pass it to the Snap Pixel as `client_dedup_id`.
 * Customer data travels over HTTPS as given and is normalised and hashed on arrival (conversion-service README,
 * "Website conversions"). It rejects (an Error with `code`) when there is no click id or the server refuses.
 */
export function trackScript(cookieDays: number): string {
  const maxAge = Math.max(0, Math.round(cookieDays * 86400));
  return `/* snaptrack no-redirect click tracking */
(function () {
  'use strict';
  var MAX_AGE = ${maxAge};
  var KEY_RE = /^[A-Za-z0-9]{10,32}$/;
  var script = document.currentScript;
  if (!script) {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) if (/\\/track\\.js(\\?|$)/.test(all[i].src)) { script = all[i]; break; }
  }
  if (!script || !script.src) return;
  var origin = new URL(script.src, location.href).origin;
  var LAST_CLICK = 'snaptrack_clickid';
  var api = window.snaptrack && typeof window.snaptrack === 'object' ? window.snaptrack : null;

  function randomId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    var h = '';
    for (var i = 0; i < b.length; i++) h += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return h;
  }
  function conversion(o) {
    o = o || {};
    var clickId = o.clickId || readCookie(LAST_CLICK);
    if (!clickId) {
      var none = new Error('no snaptrack click id on this browser (the visitor did not arrive from a campaign)');
      none.code = 'missing_click_id';
      return Promise.reject(none);
    }
    var eventId = o.eventId !== undefined && o.eventId !== null && String(o.eventId) !== '' ? String(o.eventId)
      : randomId();
    var body = {
      click_id: clickId, type: o.type, value: o.value, currency: o.currency, event_id: eventId,
      order_id: o.orderId, email: o.email, phone: o.phone, first_name: o.firstName, last_name: o.lastName,
      zip: o.zip, city: o.city, state: o.state, country: o.country, external_id: o.externalId
    };
    return fetch(origin + '/conversions/browser', {
      method: 'POST', mode: 'cors', credentials: 'omit', cache: 'no-store', keepalive: true,
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) {
        if (!r.ok) {
          var err = new Error((b && b.reason) || ('conversion refused (HTTP ' + r.status + ')'));
          err.code = (b && b.error) || 'http_' + r.status;
          err.status = r.status;
          throw err;
        }
        return { eventId: b.event_id || eventId, conversionId: b.conversion_id || null, status: b.status || null };
      });
    });
  }
  if (!api) { api = {}; window.snaptrack = api; }
  api.conversion = conversion;

  var query = new URLSearchParams(location.search);
  var key = query.get('cmpid');
  if (!key || !KEY_RE.test(key)) return;
  var cookieName = 'snaptrack_clickid_' + key;
  var offerStoreKey = 'snaptrack_offer_' + key;

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }
  function writeCookie(name, value) {
    document.cookie = name + '=' + encodeURIComponent(value) + '; Max-Age=' + MAX_AGE + '; Path=/; SameSite=Lax' +
      (location.protocol === 'https:' ? '; Secure' : '');
  }
  function store(k, v) { try { if (v) localStorage.setItem(k, v); } catch (e) { /* storage may be blocked */ } }
  function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }

  function samePlace(a, b) {
    return a.host === b.host && a.pathname.replace(/\\/+$/, '') === b.pathname.replace(/\\/+$/, '');
  }
  function decorate(root, state) {
    var offer = null;
    if (state.offerUrl) { try { offer = new URL(state.offerUrl); } catch (e) { offer = null; } }
    var links = root.querySelectorAll ? root.querySelectorAll('a, area') : [];
    for (var i = 0; i < links.length; i++) decorateOne(links[i], state, offer);
    if (root.tagName === 'A' || root.tagName === 'AREA') decorateOne(root, state, offer);
  }
  var done = typeof WeakMap === 'function' ? new WeakMap() : null; // element -> the href we left it with
  function setHref(a, href) { if (done) done.set(a, href); a.setAttribute('href', href); }
  function decorateOne(a, state, offer) {
    var href = a.getAttribute('href') || '';
    if (done && done.get(a) === href) return;
    if (/\\{clickid\\}|%7Bclickid%7D/i.test(href)) {
      setHref(a, href.replace(/\\{clickid\\}|%7Bclickid%7D/gi, encodeURIComponent(state.clickId)));
      return;
    }
    var marked = a.hasAttribute('data-snaptrack-offer');
    if (marked && (href === '' || href === '#')) {
      if (state.offerUrl) setHref(a, state.offerUrl);
      return;
    }
    var u;
    try { u = new URL(href, location.href); } catch (e) { return; }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
    if (marked || (offer && samePlace(u, offer))) {
      if (u.searchParams.get('clickid') === state.clickId) { if (done) done.set(a, href); return; }
      u.searchParams.set('clickid', state.clickId);
      setHref(a, u.toString());
    }
  }
  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn); else fn();
  }
  function publish(clickId, offerUrl) {
    api.clickId = clickId;
    api.campaignKey = key;
    api.offerUrl = offerUrl || null;
    var state = api;
    writeCookie(LAST_CLICK, clickId);
    ready(function () {
      decorate(document, state);
      if (window.MutationObserver) {
        new MutationObserver(function (records) {
          for (var i = 0; i < records.length; i++) {
            var r = records[i];
            if (r.type === 'attributes') decorateOne(r.target, state, state.offerUrl ? new URL(state.offerUrl) : null);
            else {
              for (var j = 0; j < r.addedNodes.length; j++) {
                if (r.addedNodes[j].nodeType === 1) decorate(r.addedNodes[j], state);
              }
            }
          }
        }).observe(document.documentElement, {
          childList: true, subtree: true, attributes: true, attributeFilter: ['href', 'data-snaptrack-offer']
        });
      }
      var ev;
      try {
        ev = new CustomEvent('snaptrack:click', { detail: state });
      } catch (e) {
        ev = document.createEvent('CustomEvent');
        ev.initCustomEvent('snaptrack:click', false, false, state);
      }
      document.dispatchEvent(ev);
    });
  }

  var existing = readCookie(cookieName);
  if (existing) { publish(existing, load(offerStoreKey)); return; }

  var params = new URLSearchParams(location.search);
  params.set('_lp', location.href);
  if (document.referrer) params.set('_ref', document.referrer);
  var scid = readCookie('_scid');
  if (scid) params.set('_scid', scid);
  fetch(origin + '/click?' + params.toString(), {
    method: 'GET', mode: 'cors', credentials: 'omit', cache: 'no-store', keepalive: true
  })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (body) {
      if (!body || !body.clickid) return;
      writeCookie(cookieName, body.clickid);
      store(offerStoreKey, body.offer_url);
      publish(body.clickid, body.offer_url);
    })
    .catch(function () { /* tracking must never break the page */ });
})();
`;
}

export function trackScriptEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}
