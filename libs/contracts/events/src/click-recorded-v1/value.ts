import { isoTimeSchema, nullable } from '../common/snap-event-names';
import { defineContract } from '../validator';

/** One tracked click. Key: click_id. */
export interface Value {
  schema: 'click.recorded.v1';
  click_id: string;
  account_id: string;
  campaign_id: string;
  traffic_channel_id: string;
  traffic_channel_template: string;
  offer_id: string;
  offer_source_id: string | null;
  tracking_method: 'redirect' | 'direct';
  /** Snapchat's click id (the ScCid landing-URL parameter), sent to Snap unchanged as sc_click_id. */
  sc_click_id: string | null;
  /**
   * Added 2026-12-07. Snapchat's first-party cookie `_scid` (set by the Snap Pixel on the advertiser's site) as
   * /track.js read it on the landing page; sent to Snap unchanged as `user_data.sc_cookie1`. Absent or null: none.
   */
  sc_cookie1?: string | null;
  /** Client IP as seen through trusted proxies; raw, as Snap CAPI v3 wants it. */
  ip: string | null;
  user_agent: string | null;
  referrer: string | null;
  landing_url: string | null;
  /** Every tracking parameter of the click URL (sub1…, macros filled by Snapchat, etc.). */
  params: Record<string, string>;
  clicked_at: string;
}

export const jsonSchema = {
  $id: 'click.recorded.v1',
  type: 'object',
  additionalProperties: true,
  required: [
    'schema',
    'click_id',
    'account_id',
    'campaign_id',
    'traffic_channel_id',
    'traffic_channel_template',
    'offer_id',
    'tracking_method',
    'params',
    'clicked_at',
  ],
  properties: {
    schema: { const: 'click.recorded.v1' },
    click_id: { type: 'string', minLength: 8, maxLength: 64 },
    account_id: { type: 'string', minLength: 1 },
    campaign_id: { type: 'string', minLength: 1 },
    traffic_channel_id: { type: 'string', minLength: 1 },
    traffic_channel_template: { type: 'string' },
    offer_id: { type: 'string', minLength: 1 },
    offer_source_id: nullable({ type: 'string' }),
    tracking_method: { enum: ['redirect', 'direct'] },
    sc_click_id: nullable({ type: 'string', maxLength: 512 }),
    sc_cookie1: nullable({ type: 'string', maxLength: 512 }),
    ip: nullable({ type: 'string' }),
    user_agent: nullable({ type: 'string' }),
    referrer: nullable({ type: 'string' }),
    landing_url: nullable({ type: 'string' }),
    params: { type: 'object', additionalProperties: { type: 'string' } },
    clicked_at: isoTimeSchema,
  },
} as const;

export const contract = defineContract<Value>('click.recorded.v1', jsonSchema);
