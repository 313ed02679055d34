import type { Value } from './value';

/**
 * Kafka message key of delivery.result.v1: the conversion id, so every result of one conversion (all pixels, all
 * destinations) is in one partition. Consumers keep the highest `revision` per (conversion_id, destination, pixel_id).
 */
export const keyOf = (v: Pick<Value, 'conversion_id'>): string => v.conversion_id;
