import * as ClickRecordedV1 from './click-recorded-v1';
import * as ConfigEntityV1 from './config-entity-v1';
import * as ConversionCreatedV1 from './conversion-created-v1';
import * as DeadLetterV1 from './dead-letter-v1';
import * as DeliveryCommandV1 from './delivery-command-v1';
import * as DeliveryResultV1 from './delivery-result-v1';
import * as PlacementV1 from './placement-v1';
import { TOPICS, type TopicName } from './topics';
import type { Contract } from './validator';

/**
 * The contract of every topic, by topic name: a generic consumer (dead-letter tooling, a replay script, another
 * team's bridge) can `CONTRACTS[topic].decode(message.value)` without knowing the event in advance.
 */
export const CONTRACTS = {
  [TOPICS.configEntityV1]: ConfigEntityV1.contract,
  [TOPICS.clickRecordedV1]: ClickRecordedV1.contract,
  [TOPICS.conversionCreatedV1]: ConversionCreatedV1.contract,
  [TOPICS.deliveryResultV1]: DeliveryResultV1.contract,
  [TOPICS.deliveryCommandV1]: DeliveryCommandV1.contract,
  [TOPICS.deadLetterV1]: DeadLetterV1.contract,
  [TOPICS.placementV1]: PlacementV1.contract,
} as const satisfies Record<TopicName, Contract<unknown>>;

/** The JSON Schema dialect of every contract (Ajv's default, draft-07). */
export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

/** File name of a topic's exported JSON Schema under `libs/contracts/events/schemas/`. */
export function schemaFileName(topic: TopicName): string {
  return `${topic}.schema.json`;
}

/**
 * The JSON Schema document published for a topic: the contract's own `jsonSchema` object, unchanged, with the
 * `$schema` dialect in front so validators in other languages pick the right draft.
 */
export function schemaDocument(topic: TopicName): Record<string, unknown> {
  return { $schema: JSON_SCHEMA_DIALECT, ...(CONTRACTS[topic].jsonSchema as Record<string, unknown>) };
}

/** Exact text of `schemas/<topic>.schema.json` (2-space JSON, trailing newline). */
export function schemaFileText(topic: TopicName): string {
  return `${JSON.stringify(schemaDocument(topic), null, 2)}\n`;
}
