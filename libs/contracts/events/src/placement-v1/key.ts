import type { Value } from './value';

/** Kafka message key of placement.v1: `placement:<id>` (the compaction key). */
export const keyOf = (v: Pick<Value, 'id'>): string => `placement:${v.id}`;
