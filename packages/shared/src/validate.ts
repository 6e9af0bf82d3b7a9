import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { type ErrorCode, type ErrorDetail, NuboError } from './errors.js';

// ajv-formats is CommonJS; under NodeNext its function arrives as `default`.
const addFormats = ajvFormats.default as unknown as typeof ajvFormats.default.default;

/** The one ajv instance: strict, all errors, formats; shared by the API and the store. */
export const ajv = addFormats(
  new Ajv({ allErrors: true, strict: true, useDefaults: false, coerceTypes: false }),
  ['uuid', 'date-time', 'email', 'uri', 'ipv4', 'ipv6'],
);

const compiled = new WeakMap<TSchema, ValidateFunction>();

function compile(schema: TSchema): ValidateFunction {
  const known = compiled.get(schema);
  if (known) return known;
  const fn = ajv.compile(schema);
  compiled.set(schema, fn);
  return fn;
}

/**
 * Compiles validators now rather than on first use. A daemon calls this as it
 * starts: compiling a record's schema takes tens of milliseconds, which
 * would otherwise land on the first request that reads such a record.
 */
export function precompile(schemas: readonly TSchema[]): void {
  for (const schema of schemas) compile(schema);
}

/** ajv's errors as Nubo details, each naming the field as a JSON pointer. */
export function toDetails(errors: ErrorObject[] | null | undefined): ErrorDetail[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : '';
    const missing = e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : '';
    const message =
      e.keyword === 'required'
        ? 'is required'
        : e.keyword === 'additionalProperties'
          ? 'is not a known field'
          : e.message;
    return { field: `${e.instancePath}${extra}${missing}` || '/', message: message ?? 'is not valid' };
  });
}

/** Returns the value typed, or throws a NuboError (NUBO_VALIDATION by default) naming each bad field. */
export function validate<S extends TSchema>(
  schema: S,
  value: unknown,
  code: ErrorCode = 'NUBO_VALIDATION',
  what = 'input',
): Static<S> {
  const fn = compile(schema);
  if (fn(value)) return value as Static<S>;
  const details = toDetails(fn.errors);
  const first = details[0];
  const summary = first ? `${first.field} ${first.message}` : 'is not valid';
  throw new NuboError(code, `${what}: ${summary}`, { details });
}

export function isValid<S extends TSchema>(schema: S, value: unknown): value is Static<S> {
  return compile(schema)(value);
}
