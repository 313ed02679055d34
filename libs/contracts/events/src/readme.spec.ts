import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS } from './registry';
import { TOPICS, type TopicName } from './topics';
import type { Contract } from './validator';

/**
 * The README is the public documentation of the topics, so it must not drift from the code: a section per topic,
 * the example that the tests validate, an entry (table row or list item) for every top-level field, and only valid
 * JSON examples.
 */
const LIB = join(__dirname, '..');
const readme = readFileSync(join(LIB, 'README.md'), 'utf8');
const changelog = readFileSync(join(LIB, 'CHANGELOG.md'), 'utf8');
const ALL_TOPICS = Object.values(TOPICS);
const exampleOf = (topic: TopicName): unknown =>
  JSON.parse(readFileSync(join(__dirname, topic.replace(/\./g, '-'), 'example.json'), 'utf8'));

/** The text of `## <topic>` up to the next `## ` heading (null when there is no such section). */
function sectionOf(topic: TopicName): string | null {
  const parts = readme.split(/^(?=## )/m);
  const hits = parts.filter((p) => p.split('\n', 1)[0].trim() === `## ${topic}`);
  return hits.length ? hits.join('\n') : null;
}
const jsonBlocks = (text: string): string[] => [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('README.md', () => {
  it.each(ALL_TOPICS)('has a "## %s" section', (topic) => {
    expect(sectionOf(topic)).not.toBeNull();
  });

  it.each(ALL_TOPICS)('%s: the section shows src/<event>/example.json', (topic) => {
    const shown = jsonBlocks(sectionOf(topic) ?? '').map((b) => JSON.parse(b));
    expect(shown).toContainEqual(exampleOf(topic));
  });

  it.each(ALL_TOPICS)('%s: every JSON example in the section is a valid message', (topic) => {
    const blocks = jsonBlocks(sectionOf(topic) ?? '');
    expect(blocks.length).toBeGreaterThan(0);
    const contract: Contract<unknown> = CONTRACTS[topic];
    for (const block of blocks) expect(() => contract.assert(JSON.parse(block))).not.toThrow();
  });

  it.each(ALL_TOPICS)('%s: the field list has an entry for every top-level field of the schema', (topic) => {
    const section = sectionOf(topic) ?? '';
    const fields = Object.keys((CONTRACTS[topic].jsonSchema as { properties: object }).properties);
    const undocumented = fields.filter((f) => !new RegExp(`^(?:\\| |- )\`${escape(f)}\``, 'm').test(section));
    expect(undocumented).toEqual([]);
  });

  it('documents KAFKA_TOPIC_PREFIX and the message-id header', () => {
    expect(readme).toContain('## KAFKA_TOPIC_PREFIX');
    expect(readme).toContain('`message-id`');
  });
});

describe('CHANGELOG.md', () => {
  it.each(ALL_TOPICS)('names %s', (topic) => {
    expect(changelog).toContain(`\`${topic}\``);
  });
});
