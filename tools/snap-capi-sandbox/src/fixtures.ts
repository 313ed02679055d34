// Known-good inputs for tests here and in other packages (e.g. dispatcher flow tests). The digests are the
// Snap test vectors (docs/snap-capi.md "Test vectors"): sha256 of the normalised value, lowercase hex.

export const VECTOR_SHA256 = {
  /** em: `Person@Example.com` -> `person@example.com` (Snap docs, Parameters). */
  email: '542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345',
  /** ph: `+44 844 412 4653` -> `448444124653` (Snap docs, Parameters). */
  phone: 'dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383',
  /** fn: `John` -> `john` (Snap docs, Parameters). */
  firstName: '96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a',
  /** fn: `Raphaël` -> `raphaël`, NFC (Snap docs, Parameters). */
  firstNameUtf8: 'e74bb89e718fe1e19c422a48382870399f8bf7ca8dfa008739e75b0be76627b7',
  /** st: `CA` -> `ca` (Snap Go SDK README). */
  state: '6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126',
  /** zp: `00000` (Snap Go SDK README). */
  zip: 'e7042ac7d09c7bc41c8cfa5749e41858f6980643bc0db1a83cc793d3e24d3f77',
  /** country: `gb`. */
  countryGb: '0b407281768f0e833afef47ed464b6571d01ca4d53c12ce5c51d1462f4ad6677',
} as const;

export const SAMPLE_USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Version/17.4 Mobile/15E148 Safari/604.1';

/**
 * A web PURCHASE like the example in docs/snap-capi.md "Request envelope", dated one minute before `nowMs`. Returns a
 * fresh object.
 */
export function sampleWebPurchase(nowMs: number = Date.now(), eventId = 'ord-10042'): Record<string, unknown> {
  return {
    event_name: 'PURCHASE',
    event_time: Math.floor(nowMs / 1000) - 60,
    event_id: eventId,
    action_source: 'WEB',
    event_source_url: 'https://shop.example.com/checkout/thank-you',
    integration: 'snaptrack',
    user_data: {
      em: [VECTOR_SHA256.email],
      ph: [VECTOR_SHA256.phone],
      fn: VECTOR_SHA256.firstName,
      country: VECTOR_SHA256.countryGb,
      client_ip_address: '203.0.113.7',
      client_user_agent: SAMPLE_USER_AGENT,
      sc_click_id: '7b3a7917-a82a-47e8-9728-e1b3b045abb2',
    },
    custom_data: { currency: 'USD', value: 49.9, order_id: eventId },
  };
}
