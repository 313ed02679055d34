import type { Value } from './value';

/** Kafka message key of click.recorded.v1: the click id, so every message about one click shares a partition. */
export const keyOf = (v: Pick<Value, 'click_id'>): string => v.click_id;
