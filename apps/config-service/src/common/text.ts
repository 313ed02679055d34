import { badInput } from '@snaptrack/util-federation';

const CONTROL = /[\u0000-\u001f\u007f]/;

/** A trimmed, non-empty display text without control characters. */
export function requiredText(value: string | null | undefined, field: string, label: string, max = 200): string {
  const v = (value ?? '').trim();
  if (!v) throw badInput(`${label} must not be empty`, field);
  if (v.length > max) throw badInput(`${label} must be at most ${max} characters`, field);
  if (CONTROL.test(v)) throw badInput(`${label} must not contain line breaks or control characters`, field);
  return v;
}

const PARAM = /^[A-Za-z0-9_.\-[\]]{1,64}$/;

/** A URL query parameter name as users type it (`clickid`, `sub1`, `ScCid`, `email`). */
export function paramName(value: string | null | undefined, field: string, label: string): string {
  const v = (value ?? '').trim();
  if (!v) throw badInput(`${label} must not be empty`, field);
  if (!PARAM.test(v))
    throw badInput(
      `${label} "${v.slice(0, 64)}" is not a valid URL parameter name (letters, digits, _ . - [ ], at most 64)`,
      field,
    );
  return v;
}

/** Reports the first name that occurs twice. */
export function assertDistinct(names: string[], field: string, what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw badInput(`${what} "${n}" appears more than once`, field);
    seen.add(n);
  }
}
