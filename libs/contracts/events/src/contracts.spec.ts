import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ClickRecordedV1 from './click-recorded-v1';
import * as ConfigEntityV1 from './config-entity-v1';
import * as ConversionCreatedV1 from './conversion-created-v1';
import * as DeadLetterV1 from './dead-letter-v1';
import * as DeliveryCommandV1 from './delivery-command-v1';
import * as DeliveryResultV1 from './delivery-result-v1';
import { CONTRACTS } from './registry';
import { TOPICS, TOPIC_SPECS, topicName, topicSpecsWithPrefix, type TopicName } from './topics';
import { ContractViolation, type Contract } from './validator';

type Json = Record<string, any>;

/** `conversion.created.v1` → `src/conversion-created-v1/example.json`. */
const exampleOf = (topic: TopicName): Json =>
  JSON.parse(readFileSync(join(__dirname, topic.replace(/\./g, '-'), 'example.json'), 'utf8'));
const copy = (topic: TopicName): Json => structuredClone(exampleOf(topic));
const ALL_TOPICS = Object.values(TOPICS);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** The problems a contract reports for `value`; fails the test if the value is accepted. */
function problemsOf(contract: Contract<unknown>, value: unknown): string[] {
  try {
    contract.assert(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ContractViolation);
    const v = e as ContractViolation;
    expect(v.schema).toBe(contract.schemaName);
    expect(v.message).toContain(contract.schemaName);
    return v.problems;
  }
  throw new Error(`${contract.schemaName} accepted an invalid value`);
}

describe('examples', () => {
  it.each(ALL_TOPICS)('%s: example.json validates against its contract', (topic) => {
    const example = exampleOf(topic);
    expect(CONTRACTS[topic].assert(example)).toBe(example);
    expect(example.schema).toBe(topic);
  });

  it.each(ALL_TOPICS)('%s: encode → decode round-trips the example (string and Buffer)', (topic) => {
    const contract: Contract<unknown> = CONTRACTS[topic];
    const text = contract.encode(exampleOf(topic));
    expect(contract.decode(text)).toEqual(exampleOf(topic));
    expect(contract.decode(Buffer.from(text, 'utf8'))).toEqual(exampleOf(topic));
  });

  it.each(ALL_TOPICS)('%s: an unknown extra field is accepted (optional fields are added in place)', (topic) => {
    expect(() => CONTRACTS[topic].assert({ ...copy(topic), added_in_a_later_release: 'x' })).not.toThrow();
  });

  it('user_data in conversion.created.v1 holds SHA-256 of the normalised shared vectors, never raw values', () => {
    const { user_data } = exampleOf(TOPICS.conversionCreatedV1);
    expect(user_data).toEqual({ em: sha256('person@example.com'), ph: sha256('448444124653'), fn: sha256('john') });
  });

  it('the examples tell one consistent story (ids, Snap pixel UUID, ISO-8601 times)', () => {
    const config = exampleOf(TOPICS.configEntityV1);
    const click = exampleOf(TOPICS.clickRecordedV1);
    const conversion = exampleOf(TOPICS.conversionCreatedV1);
    const result = exampleOf(TOPICS.deliveryResultV1);
    const command = exampleOf(TOPICS.deliveryCommandV1);
    expect(config.entity_type).toBe('pixel');
    expect(config.data.pixel_id).toMatch(UUID);
    expect(result.pixel_id).toBe(config.data.pixel_id);
    expect(command.pixel_config_id).toBe(config.id);
    expect(conversion.click.click_id).toBe(click.click_id);
    expect(conversion.attribution.traffic_channel_id).toBe(config.data.placement.traffic_channel_id);
    expect(Object.keys(config.data.event_mapping)).toEqual([conversion.conversion_type_id]);
    expect(result.conversion_id).toBe(conversion.conversion_id);
    expect(result.event_id).toBe(conversion.event_id);
    expect(result.event_name).toBe(config.data.event_mapping[conversion.conversion_type_id]);
    for (const t of [
      config.updated_at,
      click.clicked_at,
      conversion.occurred_at,
      result.updated_at,
      command.requested_at,
    ]) {
      expect(new Date(t).toISOString()).toBe(t);
    }
  });
});

/** [case name, contract, invalid value, a fragment every reader can find the field by]. */
const invalid: Array<[string, Contract<unknown>, Json, string]> = [
  [
    'config.entity.v1 with an unknown entity_type',
    ConfigEntityV1.contract,
    { ...copy(TOPICS.configEntityV1), entity_type: 'landing_page' },
    '/entity_type',
  ],
  [
    'config.entity.v1 with a negative version',
    ConfigEntityV1.contract,
    { ...copy(TOPICS.configEntityV1), version: -1 },
    '/version',
  ],
  [
    'config.entity.v1 with a non-ISO updated_at',
    ConfigEntityV1.contract,
    { ...copy(TOPICS.configEntityV1), updated_at: '27/11/2026 09:14' },
    '/updated_at',
  ],
  ['config.entity.v1 without data', ConfigEntityV1.contract, omit(copy(TOPICS.configEntityV1), 'data'), "'data'"],

  [
    'click.recorded.v1 without click_id',
    ClickRecordedV1.contract,
    omit(copy(TOPICS.clickRecordedV1), 'click_id'),
    "'click_id'",
  ],
  [
    'click.recorded.v1 with a 4-character click_id',
    ClickRecordedV1.contract,
    { ...copy(TOPICS.clickRecordedV1), click_id: 'abcd' },
    '/click_id',
  ],
  [
    'click.recorded.v1 with an unknown tracking_method',
    ClickRecordedV1.contract,
    { ...copy(TOPICS.clickRecordedV1), tracking_method: 'popup' },
    '/tracking_method',
  ],
  [
    'click.recorded.v1 with a numeric param value',
    ClickRecordedV1.contract,
    { ...copy(TOPICS.clickRecordedV1), params: { sub1: 42 } },
    '/params/sub1',
  ],
  [
    'click.recorded.v1 with clicked_at in epoch seconds',
    ClickRecordedV1.contract,
    { ...copy(TOPICS.clickRecordedV1), clicked_at: 1796150537 },
    '/clicked_at',
  ],

  [
    'conversion.created.v1 with an unhashed email in user_data',
    ConversionCreatedV1.contract,
    { ...copy(TOPICS.conversionCreatedV1), user_data: { em: 'person@example.com' } },
    '/user_data/em',
  ],
  [
    'conversion.created.v1 with an uppercase-hex hash in user_data',
    ConversionCreatedV1.contract,
    { ...copy(TOPICS.conversionCreatedV1), user_data: { ph: sha256('448444124653').toUpperCase() } },
    '/user_data/ph',
  ],
  [
    'conversion.created.v1 with a raw "email" key in user_data',
    ConversionCreatedV1.contract,
    { ...copy(TOPICS.conversionCreatedV1), user_data: { email: sha256('person@example.com') } },
    "'email'",
  ],
  [
    'conversion.created.v1 with a lowercase currency',
    ConversionCreatedV1.contract,
    { ...copy(TOPICS.conversionCreatedV1), currency: 'gbp' },
    '/currency',
  ],
  [
    'conversion.created.v1 without event_id',
    ConversionCreatedV1.contract,
    omit(copy(TOPICS.conversionCreatedV1), 'event_id'),
    "'event_id'",
  ],
  [
    'conversion.created.v1 with a conversion_id that is not a UUID',
    ConversionCreatedV1.contract,
    { ...copy(TOPICS.conversionCreatedV1), conversion_id: 'conv-1' },
    '/conversion_id',
  ],
  [
    'conversion.created.v1 with an unknown status',
    ConversionCreatedV1.contract,
    { ...copy(TOPICS.conversionCreatedV1), status: 'approved' },
    '/status',
  ],
  [
    'conversion.created.v1 with a payout given as text',
    ConversionCreatedV1.contract,
    { ...copy(TOPICS.conversionCreatedV1), payout: '24.50' },
    '/payout',
  ],

  [
    'delivery.result.v1 with an unknown status',
    DeliveryResultV1.contract,
    { ...copy(TOPICS.deliveryResultV1), status: 'sent' },
    '/status',
  ],
  [
    'delivery.result.v1 with negative attempts',
    DeliveryResultV1.contract,
    { ...copy(TOPICS.deliveryResultV1), attempts: -1 },
    '/attempts',
  ],
  [
    'delivery.result.v1 without revision',
    DeliveryResultV1.contract,
    omit(copy(TOPICS.deliveryResultV1), 'revision'),
    "'revision'",
  ],
  [
    'delivery.result.v1 with an unknown placement',
    DeliveryResultV1.contract,
    { ...copy(TOPICS.deliveryResultV1), placements: ['landing_page'] },
    '/placements/0',
  ],

  [
    'delivery.command.v1 backfill with since_days 40',
    DeliveryCommandV1.contract,
    { ...copy(TOPICS.deliveryCommandV1), since_days: 40 },
    '/since_days',
  ],
  [
    'delivery.command.v1 backfill with since_days 0',
    DeliveryCommandV1.contract,
    { ...copy(TOPICS.deliveryCommandV1), since_days: 0 },
    '/since_days',
  ],
  [
    'delivery.command.v1 backfill without pixel_config_id',
    DeliveryCommandV1.contract,
    omit(copy(TOPICS.deliveryCommandV1), 'pixel_config_id'),
    "'pixel_config_id'",
  ],
  [
    'delivery.command.v1 redeliver without conversion_ids',
    DeliveryCommandV1.contract,
    { ...omit(copy(TOPICS.deliveryCommandV1), 'pixel_config_id', 'since_days'), kind: 'redeliver', pixel_id: null },
    "'conversion_ids'",
  ],
  [
    'delivery.command.v1 with a destination that is not a lowercase name',
    DeliveryCommandV1.contract,
    { ...copy(TOPICS.deliveryCommandV1), destination: 'TikTok Ads' },
    '/destination',
  ],
  [
    'delivery.command.v1 with an unknown kind',
    DeliveryCommandV1.contract,
    { ...copy(TOPICS.deliveryCommandV1), kind: 'purge' },
    '/kind',
  ],

  [
    'dead-letter.v1 with source_partition as text',
    DeadLetterV1.contract,
    { ...copy(TOPICS.deadLetterV1), source_partition: '2' },
    '/source_partition',
  ],
  ['dead-letter.v1 without reason', DeadLetterV1.contract, omit(copy(TOPICS.deadLetterV1), 'reason'), "'reason'"],
  [
    'dead-letter.v1 claiming another schema',
    DeadLetterV1.contract,
    { ...copy(TOPICS.deadLetterV1), schema: 'dead-letter.v2' },
    '/schema',
  ],
];

function omit(value: Json, ...fields: string[]): Json {
  const out = { ...value };
  for (const f of fields) delete out[f];
  return out;
}

describe('invalid messages are rejected with a problem naming the field', () => {
  it.each(invalid)('%s', (_name, contract, value, field) => {
    const problems = problemsOf(contract, value);
    expect(problems.join('\n')).toContain(field);
  });

  it('a valid redeliver command is accepted (the oneOf branch the backfill example does not cover)', () => {
    const redeliver = {
      ...omit(copy(TOPICS.deliveryCommandV1), 'pixel_config_id', 'since_days'),
      kind: 'redeliver',
      conversion_ids: [exampleOf(TOPICS.conversionCreatedV1).conversion_id],
      pixel_id: null,
    };
    expect(() => DeliveryCommandV1.contract.assert(redeliver)).not.toThrow();
  });

  it('destination on a command is optional; absent or null means snapchat-capi', () => {
    const example = copy(TOPICS.deliveryCommandV1) as DeliveryCommandV1.Value;
    for (const destination of [undefined, null, 'snapchat-capi', 'tiktok']) {
      const cmd = destination === undefined ? example : { ...example, destination };
      expect(() => DeliveryCommandV1.contract.assert(cmd)).not.toThrow();
    }
    expect(DeliveryCommandV1.destinationOf(example)).toBe('snapchat-capi');
    expect(DeliveryCommandV1.destinationOf({ destination: null })).toBe('snapchat-capi');
    expect(DeliveryCommandV1.isFor(example, DeliveryCommandV1.SNAPCHAT_CAPI_DESTINATION)).toBe(true);
    expect(DeliveryCommandV1.isFor({ destination: 'tiktok' }, 'snapchat-capi')).toBe(false);
    expect(DeliveryCommandV1.isFor({ destination: 'tiktok' }, 'tiktok')).toBe(true);
    expect(DeliveryCommandV1.isFor(example, 'tiktok')).toBe(false);
  });

  it('a problem never repeats the rejected value (no raw PII in logs or dead letters)', () => {
    const problems = problemsOf(ConversionCreatedV1.contract, {
      ...copy(TOPICS.conversionCreatedV1),
      user_data: { em: 'person@example.com' },
    });
    expect(problems.join('\n')).not.toContain('person@example.com');
  });

  it('encode() refuses an invalid value instead of producing it', () => {
    const bad = { ...copy(TOPICS.conversionCreatedV1), currency: 'gbp' } as unknown as ConversionCreatedV1.Value;
    expect(() => ConversionCreatedV1.contract.encode(bad)).toThrow(ContractViolation);
  });
});

describe('decode()', () => {
  it.each(ALL_TOPICS)('%s: non-JSON throws ContractViolation without echoing the payload', (topic) => {
    const raw = Buffer.from('hello person@example.com', 'utf8');
    let thrown: unknown;
    try {
      CONTRACTS[topic].decode(raw);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ContractViolation);
    expect((thrown as ContractViolation).problems[0]).toMatch(/^not JSON/);
    expect((thrown as ContractViolation).message).not.toContain('person');
  });

  it('truncated JSON throws ContractViolation', () => {
    const text = JSON.stringify(exampleOf(TOPICS.conversionCreatedV1));
    expect(() => ConversionCreatedV1.contract.decode(text.slice(0, text.length / 2))).toThrow(ContractViolation);
  });

  it('a null value (tombstone) or undefined throws ContractViolation("empty message value")', () => {
    expect(() => ConfigEntityV1.contract.decode(null)).toThrow(/empty message value/);
    expect(() => ConfigEntityV1.contract.decode(undefined)).toThrow(ContractViolation);
  });

  it('JSON that breaks the contract throws ContractViolation naming the field', () => {
    expect(() =>
      DeliveryResultV1.contract.decode(JSON.stringify({ ...copy(TOPICS.deliveryResultV1), status: 'sent' })),
    ).toThrow(/\/status/);
  });
});

describe('keys', () => {
  it('keyOf gives the documented key of each example', () => {
    const config = exampleOf(TOPICS.configEntityV1);
    expect(ConfigEntityV1.keyOf(config as ConfigEntityV1.Value)).toBe(`pixel:${config.id}`);
    expect(ClickRecordedV1.keyOf(exampleOf(TOPICS.clickRecordedV1) as ClickRecordedV1.Value)).toBe(
      '6734c1f2a9b8e4d5f0a1b2c3',
    );
    const conversionId = exampleOf(TOPICS.conversionCreatedV1).conversion_id;
    expect(ConversionCreatedV1.keyOf(exampleOf(TOPICS.conversionCreatedV1) as ConversionCreatedV1.Value)).toBe(
      conversionId,
    );
    expect(DeliveryResultV1.keyOf(exampleOf(TOPICS.deliveryResultV1) as DeliveryResultV1.Value)).toBe(conversionId);
    const command = exampleOf(TOPICS.deliveryCommandV1);
    expect(DeliveryCommandV1.keyOf(command as DeliveryCommandV1.Value)).toBe(command.account_id);
  });

  it('dead-letter.v1 keeps the original key, or names the source position when there was none', () => {
    const dead = exampleOf(TOPICS.deadLetterV1) as DeadLetterV1.Value;
    const originalKey = 'landing_page:30b0cb65-1184-454c-b44e-90fcbd1428eb';
    expect(DeadLetterV1.keyOf(dead, Buffer.from(originalKey))).toBe(originalKey);
    expect(DeadLetterV1.keyOf(dead, originalKey)).toBe(originalKey);
    expect(DeadLetterV1.keyOf(dead, null)).toBe('config.entity.v1:2:4187');
    expect(DeadLetterV1.keyOf(dead, Buffer.alloc(0))).toBe('config.entity.v1:2:4187');
  });
});

describe('topics', () => {
  it('every topic in TOPICS has exactly one spec in TOPIC_SPECS, and every spec names a topic', () => {
    const specNames = TOPIC_SPECS.map((s) => s.name);
    expect([...specNames].sort()).toEqual([...ALL_TOPICS].sort());
    expect(new Set(specNames).size).toBe(specNames.length);
  });

  it('every topic has a contract whose schema name and $id are the topic name', () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual([...ALL_TOPICS].sort());
    for (const topic of ALL_TOPICS) {
      expect(CONTRACTS[topic].schemaName).toBe(topic);
      expect((CONTRACTS[topic].jsonSchema as { $id: string }).$id).toBe(topic);
    }
  });

  it('every topic name ends in its version', () => {
    for (const topic of ALL_TOPICS) expect(topic).toMatch(/\.v[1-9][0-9]*$/);
  });

  it('every spec has partitions, a key and a doc', () => {
    for (const s of TOPIC_SPECS) {
      expect(s.partitions).toBeGreaterThanOrEqual(1);
      expect(s.key).not.toBe('');
      expect(s.doc).not.toBe('');
    }
  });

  it('config.entity.v1 is compacted', () => {
    expect(TOPIC_SPECS.find((s) => s.name === TOPICS.configEntityV1)?.config['cleanup.policy']).toBe('compact');
  });

  it('topicName puts the prefix in front, and an empty prefix changes nothing', () => {
    expect(topicName('t-3f9a.', TOPICS.conversionCreatedV1)).toBe('t-3f9a.conversion.created.v1');
    expect(topicName('', TOPICS.deadLetterV1)).toBe('dead-letter.v1');
  });

  it('topicSpecsWithPrefix prefixes every name, keeps the rest, and leaves TOPIC_SPECS alone', () => {
    const before = structuredClone(TOPIC_SPECS);
    const specs = topicSpecsWithPrefix('acme.');
    expect(specs).toHaveLength(TOPIC_SPECS.length);
    specs.forEach((s, i) => {
      expect(s).toEqual({ ...TOPIC_SPECS[i], name: `acme.${TOPIC_SPECS[i].name}` });
    });
    expect(TOPIC_SPECS).toEqual(before);
    expect(topicSpecsWithPrefix('').map((s) => s.name)).toEqual(TOPIC_SPECS.map((s) => s.name));
  });
});
