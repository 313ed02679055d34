import { CreateOutbox1764400000000 } from '@snaptrack/data-access-outbox';
import { CreateConfigSchema1764500000000 } from './1764500000000-create-config-schema';
import { TrackingDomainVerification1796604900000 } from './1796604900000-tracking-domain-verification';

/** In order. Never edit a migration after it has been merged; add a new one. */
export const migrations = [
  CreateOutbox1764400000000,
  CreateConfigSchema1764500000000,
  TrackingDomainVerification1796604900000,
];
