import { CreateOutbox1764400000000 } from '@snaptrack/data-access-outbox';

/** In order. Never edit a migration after it has been merged; add a new one. */
export const migrations = [CreateOutbox1764400000000];
