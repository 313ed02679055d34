import { ConversionCreatedV1, HASHED_USER_DATA_KEYS, type HashedUserData } from '@snaptrack/contracts-events';
import { deriveConversionEventId } from '@snaptrack/util-pii';
import type { ClickView } from '../click/click.entity';
import type { Conversion } from './conversion.entity';

/** Pure: a stored conversion (and the click it was attributed to) → its conversion.created.v1 value, validated. */
export function toConversionCreatedV1(c: Conversion, click: ClickView | null): ConversionCreatedV1.Value {
  const userData: HashedUserData = {};
  for (const k of HASHED_USER_DATA_KEYS) if (c.userData[k]) userData[k] = c.userData[k];
  const value: ConversionCreatedV1.Value = {
    schema: 'conversion.created.v1',
    conversion_id: c.id,
    event_id: c.eventId,
    // The postback's own event id (sent to Snap verbatim) vs our derived one (a dispatcher may use the transaction id
    // for purchases instead, docs/snap-capi.md "Event ID and deduplication"): a derived id is exactly the hash of the
    // stored inputs.
    explicit_event_id:
      c.eventId !==
      deriveConversionEventId({
        transactionId: c.transactionId,
        clickId: c.clickId ?? '',
        conversionType: c.type,
        conversionId: c.id,
      }),
    account_id: c.accountId,
    status: c.status,
    conversion_type_id: c.conversionTypeId,
    type: c.type,
    payout: c.payout === null ? null : Number(c.payout),
    currency: c.currency,
    transaction_id: c.transactionId,
    occurred_at: c.occurredAt.toISOString(),
    received_at: c.receivedAt.toISOString(),
    attribution: click
      ? {
          campaign_id: click.campaignId,
          traffic_channel_id: click.trafficChannelId,
          traffic_channel_template: click.trafficChannelTemplate,
          offer_id: click.offerId,
          offer_source_id: c.offerSourceId,
        }
      : null,
    click: click
      ? {
          click_id: click.clickId,
          clicked_at: new Date(click.clickedAt).toISOString(),
          sc_click_id: click.scClickId,
          // Only when the click has one: conversions of clicks without it keep the shape they always had.
          ...(click.scCookie1 ? { sc_cookie1: click.scCookie1 } : {}),
          ip: click.ip,
          user_agent: click.userAgent,
          landing_url: click.landingUrl,
          params: { ...(click.params ?? {}) },
        }
      : null,
    postback_click_id: c.clickId,
    user_data: userData,
    prehashed: [...c.prehashed],
  };
  return ConversionCreatedV1.contract.assert(value);
}
