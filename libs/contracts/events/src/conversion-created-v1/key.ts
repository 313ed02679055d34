import type { Value } from './value';

/** Kafka message key of conversion.created.v1: the conversion id (also the id consumers dedupe by). */
export const keyOf = (v: Pick<Value, 'conversion_id'>): string => v.conversion_id;
