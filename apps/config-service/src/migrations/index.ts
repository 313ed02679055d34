import { CreateOutbox1764400000000, OutboxHeaders1797033600000 } from '@snaptrack/data-access-outbox';
import { CreateConfigSchema1764500000000 } from './1764500000000-create-config-schema';
import { PostbackSecrets1796601600000 } from './1796601600000-postback-secrets';
import { TrackingDomainVerification1796604900000 } from './1796604900000-tracking-domain-verification';
import { OfferWebsites1796688000000 } from './1796688000000-offer-websites';

/** In order. Never edit a migration after it has been merged; add a new one. */
export const migrations = [
  CreateOutbox1764400000000,
  CreateConfigSchema1764500000000,
  PostbackSecrets1796601600000,
  TrackingDomainVerification1796604900000,
  OfferWebsites1796688000000,
  OutboxHeaders1797033600000,
];
