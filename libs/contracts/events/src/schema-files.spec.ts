import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ClickRecordedV1 from './click-recorded-v1';
import * as ConfigEntityV1 from './config-entity-v1';
import * as ConversionCreatedV1 from './conversion-created-v1';
import * as DeadLetterV1 from './dead-letter-v1';
import * as DeliveryCommandV1 from './delivery-command-v1';
import * as DeliveryResultV1 from './delivery-result-v1';
import * as PlacementV1 from './placement-v1';
import { JSON_SCHEMA_DIALECT, schemaFileName, schemaFileText } from './registry';
import { TOPICS, type TopicName } from './topics';

/**
 * The committed `schemas/*.schema.json` must be exactly the TypeScript schema objects (read here from the sources,
 * never from dist), so the files other teams validate with cannot drift from what our services validate with.
 */
const FIX = 'run: npx tsc -b libs/contracts/events && node libs/contracts/events/scripts/export-schemas.js';
const SCHEMAS_DIR = join(__dirname, '..', 'schemas');
const SOURCE: Record<TopicName, object> = {
  [TOPICS.configEntityV1]: ConfigEntityV1.jsonSchema,
  [TOPICS.clickRecordedV1]: ClickRecordedV1.jsonSchema,
  [TOPICS.conversionCreatedV1]: ConversionCreatedV1.jsonSchema,
  [TOPICS.deliveryResultV1]: DeliveryResultV1.jsonSchema,
  [TOPICS.deliveryCommandV1]: DeliveryCommandV1.jsonSchema,
  [TOPICS.deadLetterV1]: DeadLetterV1.jsonSchema,
  [TOPICS.placementV1]: PlacementV1.jsonSchema,
};
const ALL_TOPICS = Object.values(TOPICS);
const read = (topic: TopicName): string | null => {
  const file = join(SCHEMAS_DIR, schemaFileName(topic));
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
};
const exampleOf = (topic: TopicName): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, topic.replace(/\./g, '-'), 'example.json'), 'utf8'));

describe(`schemas/*.schema.json (when this fails, ${FIX})`, () => {
  it('there is one file per topic and no file for a topic that does not exist', () => {
    const files = readdirSync(SCHEMAS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual(ALL_TOPICS.map(schemaFileName).sort());
  });

  it.each(ALL_TOPICS)('%s: the file is the TypeScript schema object plus $schema, nothing else', (topic) => {
    const text = read(topic);
    expect(text).not.toBeNull();
    const { $schema, ...rest } = JSON.parse(text!) as Record<string, unknown>;
    expect($schema).toBe(JSON_SCHEMA_DIALECT);
    expect(rest).toEqual(SOURCE[topic]);
  });

  it.each(ALL_TOPICS)('%s: the file text is byte-for-byte what the export script writes', (topic) => {
    expect(read(topic)).toBe(schemaFileText(topic));
  });

  it.each(ALL_TOPICS)(
    '%s: a stand-alone validator loading only the file accepts the example and rejects a wrong schema tag',
    (topic) => {
      const ajv = new Ajv({ allErrors: true, strict: false });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(read(topic)!));
      const example = exampleOf(topic);
      expect(validate(example)).toBe(true);
      expect(validate({ ...example, schema: `${topic}.x` })).toBe(false);
    },
  );
});
