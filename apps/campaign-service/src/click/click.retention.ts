import type { RetentionRule } from '@snaptrack/util-db';

/**
 * Clicks are deleted CLICK_RETENTION_DAYS after `clicked_at` (default 45; Snap accepts events up to 37 days old, and
 * the click topic keeps 45 days too). `campaign_click_count` is not decremented: it holds no personal data and keeps
 * counting every click ever recorded, while the click list only shows the retained ones.
 */
export function campaignRetentionRules(config: { clickRetentionDays: number }): RetentionRule[] {
  return [{ name: 'click', table: 'click', key: 'click_id', column: 'clicked_at', days: config.clickRetentionDays }];
}
