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
        (validate.errors ?? []).map((e) => {
          // Name an unexpected property (a key name, never a value) so the producer sees which one.
          const extra =
            e.keyword === 'additionalProperties'
              ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'`
              : '';
          return `${e.instancePath || '/'} ${e.message}${extra}`;
        }),
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
        // Never echo the payload: V8's message quotes the start of the input, which may be personal data.
        const at = /position (\d+)/.exec((e as Error).message);
        throw new ContractViolation(schemaName, [at ? `not JSON (parse error at position ${at[1]})` : 'not JSON']);
      }
      return assert(parsed);
    },
    encode(value) {
      return JSON.stringify(assert(value));
    },
  };
}
