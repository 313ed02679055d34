import type { Value } from './value';

/**
 * Kafka message key of dead-letter.v1: the key of the message that was parked, unchanged, so an operator can find
 * every parked message of one entity. The value does not carry that key, so the caller passes it. When the original
 * had no key, the key is `<source_topic>:<source_partition>:<source_offset>` (unique per parked message).
 */
export const keyOf = (
  v: Pick<Value, 'source_topic' | 'source_partition' | 'source_offset'>,
  sourceKey: Buffer | string | null | undefined,
): string => {
  const original = typeof sourceKey === 'string' ? sourceKey : sourceKey?.toString('utf8');
  return original ? original : `${v.source_topic}:${v.source_partition}:${v.source_offset}`;
};
