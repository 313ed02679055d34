/**
 * Kafka message key of config.entity.v1: `<entity_type>:<id>` (the compaction key). Defined next to the value
 * (`value.ts`), where it has always lived; re-exported here so every event folder has the same shape.
 */
export { keyOf } from './value';
