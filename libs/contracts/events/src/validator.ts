import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

export class ContractViolation extends Error {
  constructor(
    public readonly schema: string,
    public readonly problems: string[],
  ) {
    super(`${schema}: ${problems.join('; ')}`);
    this.name = 'ContractViolation';
  }
}

export interface Contract<T> {
  schemaName: string;
  jsonSchema: object;
  /** Throws ContractViolation naming every problem. */
  assert(value: unknown): T;
  /** Decodes a Kafka message value (Buffer or string) and asserts it. */
  decode(raw: Buffer | string | null | undefined): T;
  encode(value: T): string;
}

export function defineContract<T>(schemaName: string, jsonSchema: object): Contract<T> {
  let validate: ValidateFunction | undefined;
  const assert = (value: unknown): T => {
    validate ??= ajv.compile(jsonSchema);
    if (!validate(value)) {
      throw new ContractViolation(
        schemaName,
        (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`),
      );
    }
    return value as T;
  };
  return {
    schemaName,
    jsonSchema,
    assert,
    decode(raw) {
      if (raw === null || raw === undefined) throw new ContractViolation(schemaName, ['empty message value']);
      let parsed: unknown;
      try {
        parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
      } catch (e) {
        throw new ContractViolation(schemaName, [`not JSON: ${(e as Error).message}`]);
      }
      return assert(parsed);
    },
    encode(value) {
      return JSON.stringify(assert(value));
    },
  };
}
