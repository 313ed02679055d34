/**
 * Run first in a transaction whose reads walk a queue-like table (the outbox relays' unsent rows, the delivery
 * ledger's due rows). On such small, fast-changing tables the planner picks bitmap scans, and a bitmap scan never marks
 * the index entries of rows that left the queue (published, delivered) dead: until the next autovacuum every pass read
 * all of them again (in a 500/s bench run of 10,000 conversions, 10,700 dead entries per pass of the dispatcher's
 * outbox relay, 4.1 million `delivery_due` entries in all; pg_stat_user_indexes). A plain index scan marks them once,
 * and later passes skip them.
 */
export const NO_BITMAP_SCAN = 'SET LOCAL enable_bitmapscan = off';
