import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ConfigEntityV1 from '../config-entity-v1';
import { CONTRACTS } from '../registry';
import { TOPICS, TOPIC_SPECS } from '../topics';
import { ContractViolation } from '../validator';
import * as PlacementV1 from '.';

type Json = Record<string, any>;
const example = (): Json => JSON.parse(readFileSync(join(__dirname, 'example.json'), 'utf8'));

function problemsOf(value: unknown): string {
  try {
    PlacementV1.contract.assert(value);
  } catch (e) {
    expect(e).toBeInstanceOf(ContractViolation);
    return (e as ContractViolation).problems.join('\n');
  }
  throw new Error('placement.v1 accepted an invalid value');
}

describe('placement.v1', () => {
  it('the example validates, round-trips and is the registered contract', () => {
    expect(() => PlacementV1.contract.assert(example())).not.toThrow();
    expect(PlacementV1.contract.decode(PlacementV1.contract.encode(example() as PlacementV1.Value))).toEqual(example());
    expect(CONTRACTS[TOPICS.placementV1]).toBe(PlacementV1.contract);
  });

  it('a deletion (deleted: true, data: null) and a placement without credential are valid', () => {
    expect(() => PlacementV1.contract.assert({ ...example(), version: 4, deleted: true, data: null })).not.toThrow();
    const noCredential = example();
    noCredential.data.credential = null;
    noCredential.data.placement = { kind: 'offer', offer_id: '5d3a2c61-0f65-4c38-9b0c-3a8a3c9b1a11' };
    expect(() => PlacementV1.contract.assert(noCredential)).not.toThrow();
  });

  it.each([
    [
      'a destination that is not a dispatcher name',
      (v: Json) => (v.data.destination = 'TikTok Ads'),
      '/data/destination',
    ],
    ['no target_id', (v: Json) => delete v.data.target_id, "'target_id'"],
    ['an empty target_id', (v: Json) => (v.data.target_id = ''), '/data/target_id'],
    ['no settings', (v: Json) => delete v.data.settings, "'settings'"],
    ['a placement of another kind', (v: Json) => (v.data.placement = { kind: 'landing_page' }), '/data/placement'],
    ['a clear-text credential', (v: Json) => (v.data.credential = 'token'), '/data/credential'],
    ['a live placement without data', (v: Json) => (v.data = null), '/data'],
    ['a deletion that still carries data', (v: Json) => (v.deleted = true), '/data'],
    ['another schema tag', (v: Json) => (v.schema = 'config.entity.v1'), '/schema'],
  ])('rejects %s, naming the field', (_name, change, field) => {
    const value = example();
    change(value);
    expect(problemsOf(value)).toContain(field);
  });

  it('is keyed placement:<id>, compacted, and its credential AAD is the id like a config.entity.v1 pixel', () => {
    const v = example() as PlacementV1.Value;
    expect(PlacementV1.keyOf(v)).toBe(`placement:${v.id}`);
    expect(TOPIC_SPECS.find((s) => s.name === TOPICS.placementV1)?.config['cleanup.policy']).toBe('compact');
    expect(PlacementV1.placementCredentialAad(v)).toBe(ConfigEntityV1.pixelTokenAad(v));
  });
});
