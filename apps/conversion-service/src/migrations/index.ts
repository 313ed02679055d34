import { CreateOutbox1764400000000, OutboxHeaders1797033600000 } from '@snaptrack/data-access-outbox';
import { CreateConversion1764500000000 } from './1764500000000-create-conversion';
import { PostbackSecrets1796601600000 } from './1796601600000-postback-secrets';
import { ClickViewRetention1796774400000 } from './1796774400000-click-view-retention';
import { ReportRollups1796860800000 } from './1796860800000-report-rollups';
import { ClickViewScCookie1796947200000 } from './1796947200000-click-view-sc-cookie1';
import { ConversionRollupShards1797120000000 } from './1797120000000-conversion-rollup-shards';

/** In order. Never edit a migration after it has been merged; add a new one. */
export const migrations = [
  CreateOutbox1764400000000,
  CreateConversion1764500000000,
  PostbackSecrets1796601600000,
  ClickViewRetention1796774400000,
  ReportRollups1796860800000,
  ClickViewScCookie1796947200000,
  OutboxHeaders1797033600000,
  ConversionRollupShards1797120000000,
];
