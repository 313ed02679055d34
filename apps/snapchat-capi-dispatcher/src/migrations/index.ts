import { CreateOutbox1764400000000, OutboxHeaders1797033600000 } from '@snaptrack/data-access-outbox';
import { CreateDispatcher1764500000000 } from './1764500000000-create-dispatcher';
import { EventIdFixed1764600000000 } from './1764600000000-event-id-fixed';
import { ConversionRetention1796774400000 } from './1796774400000-conversion-retention';
import { RequestDeadline1796860800000 } from './1796860800000-request-deadline';
import { ConfigCreatedAt1796947200000 } from './1796947200000-config-created-at';
import { ConversionTraceParent1797033700000 } from './1797033700000-conversion-trace-parent';
import { ConfigViewSharedShape1797120000000 } from './1797120000000-config-view-shared-shape';

/** In order. Never edit a migration after it has been merged; add a new one. */
export const migrations = [
  CreateOutbox1764400000000,
  CreateDispatcher1764500000000,
  EventIdFixed1764600000000,
  ConversionRetention1796774400000,
  RequestDeadline1796860800000,
  ConfigCreatedAt1796947200000,
  OutboxHeaders1797033600000,
  ConversionTraceParent1797033700000,
  ConfigViewSharedShape1797120000000,
];
