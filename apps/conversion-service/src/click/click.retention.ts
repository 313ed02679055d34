import type { RetentionRule } from '@snaptrack/util-db';

/**
 * The click view keeps a click for CLICK_RETENTION_DAYS after `clicked_at` (default 45): longer than the 37 days for
 * which Snap accepts an event, so every conversion Snap could still take finds its click. A postback for a click
 * already deleted is handled like one for a click never seen. Conversions keep their own copy of what they need of the
 * click (`click_id`, `clicked_at`, …) and are not touched; pending postbacks are not either (their own expiry).
 */
export function conversionRetentionRules(config: { clickRetentionDays: number }): RetentionRule[] {
  return [
    { name: 'click_view', table: 'click_view', key: 'click_id', column: 'clicked_at', days: config.clickRetentionDays },
  ];
}
