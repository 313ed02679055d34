import { isoTimeSchema } from '../common/snap-event-names';
import { defineContract } from '../validator';

/** A message a consumer could not process. Key: the original key. The original value travels as text. */
export interface Value {
  schema: 'dead-letter.v1';
  consumer: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  reason: string;
  original_value: string | null;
  failed_at: string;
}

export const jsonSchema = {
  $id: 'dead-letter.v1',
  type: 'object',
  required: [
    'schema',
    'consumer',
    'source_topic',
    'source_partition',
    'source_offset',
    'reason',
    'original_value',
    'failed_at',
  ],
  properties: {
    schema: { const: 'dead-letter.v1' },
    consumer: { type: 'string' },
    source_topic: { type: 'string' },
    source_partition: { type: 'integer' },
    source_offset: { type: 'string' },
    reason: { type: 'string' },
    original_value: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    failed_at: isoTimeSchema,
  },
} as const;

export const contract = defineContract<Value>('dead-letter.v1', jsonSchema);
