// Generated input for the API's write routes: values that are wrong, or right
// at the edge, built from each route's own JSON schema (from its OpenAPI document).
import fc from 'fast-check';

type Schema = {
  type?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
  anyOf?: Schema[];
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
};

/** Values no field should take without a clear 4xx. */
export const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '0',
    '1.5.2G',
    '2Gb',
    '-1G',
    '1e309',
    'NaN',
    '9'.repeat(400),
    'a'.repeat(300),
    '../../etc/passwd',
    'x\u0000y',
    '💥',
    '__proto__',
    'constructor',
    '<script>',
    '$(reboot)',
    'fd00::/64',
    '52:54:00:00:00:00',
    Number.MAX_SAFE_INTEGER,
    -0,
    2 ** 53 + 1,
  ),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** A value the schema allows, or one just past its bounds. */
function borderline(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.anyOf?.length) return fc.oneof(...schema.anyOf.map(borderline));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.type === 'integer' || schema.type === 'number') {
    const min = schema.minimum ?? -1000;
    const max = schema.maximum ?? 1_000_000;
    return fc.oneof(
      fc.constantFrom(min - 1, min, max, max + 1),
      fc.integer({ min, max: Math.min(max, min + 100) }),
    );
  }
  if (schema.type === 'string') {
    if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern), { maxLength: 70 });
    if (schema.format === 'email') return fc.constantFrom('a@example.com', 'not-an-email', 'a@b');
    if (schema.format === 'uri') return fc.constantFrom('http://127.0.0.1:1/x.qcow2', 'file:///etc/passwd');
    return fc.string({ minLength: schema.minLength ?? 0, maxLength: (schema.maxLength ?? 40) + 1 });
  }
  if (schema.type === 'array' && schema.items) return fc.array(borderline(schema.items), { maxLength: 3 });
  if (schema.type === 'boolean') return fc.boolean();
  return nasty;
}

/** A body shaped like the schema: some fields borderline, some nasty, maybe an extra one. */
export function bodyFor(schema: Schema | undefined, fields: Record<string, unknown>): fc.Arbitrary<unknown> {
  const props = schema?.properties ?? {};
  const field = (name: string, s: Schema) =>
    fc.oneof(
      { weight: 3, arbitrary: fields[name] !== undefined ? fc.constant(fields[name]) : borderline(s) },
      { weight: 2, arbitrary: borderline(s) },
      { weight: 2, arbitrary: nasty },
    );
  const shaped = fc.record(
    Object.fromEntries(Object.entries(props).map(([name, s]) => [name, field(name, s)])),
    { requiredKeys: [] },
  );
  const withExtra = fc
    .tuple(shaped, fc.string({ minLength: 1, maxLength: 12 }), nasty)
    .map(([body, key, value]) => ({ ...body, [key]: value }));
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: 1, arbitrary: withExtra },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** A raw payload: JSON text, broken JSON, or none at all, with some content type. */
export interface Payload {
  body?: string;
  contentType?: string;
}

export function payloadFor(
  schema: Schema | undefined,
  fields: Record<string, unknown>,
): fc.Arbitrary<Payload> {
  const json = bodyFor(schema, fields).map((b) => ({
    body: JSON.stringify(b),
    contentType: 'application/json',
  }));
  const broken = fc.constantFrom(
    '{',
    '{"name":',
    '[1,2',
    'null',
    '"x"',
    '{"__proto__":{"admin":true}}',
    '\u0000',
  );
  return fc.oneof(
    { weight: 8, arbitrary: json },
    { weight: 1, arbitrary: broken.map((body) => ({ body, contentType: 'application/json' })) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          body: fc.string({ maxLength: 40 }),
          contentType: fc.constantFrom('text/plain', 'application/xml', ''),
        },
        { requiredKeys: ['body'] },
      ),
    },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}
