import type { Static, TSchema } from '@sinclair/typebox';
import type { IKeyValue, ITxnResponse } from 'etcd3';
import { NuboError } from '../errors.js';
import { validate } from '../validate.js';

/** One key as read from etcd, with the revisions a transaction compares. */
export interface Entry<T> {
  key: string;
  value: T;
  modRevision: number;
  createRevision: number;
  version: number;
  lease: string;
}

export function encode(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Parses a key-value pair; with a schema, a value that does not match is NUBO_STORE_CORRUPT. */
export function decode<S extends TSchema>(kv: IKeyValue, schema?: S): Entry<Static<S>> {
  const key = kv.key.toString();
  let parsed: unknown;
  try {
    parsed = JSON.parse(kv.value.toString());
  } catch (cause) {
    throw new NuboError('NUBO_STORE_CORRUPT', `${key} does not hold JSON`, { cause });
  }
  const value = schema ? validate(schema, parsed, 'NUBO_STORE_CORRUPT', key) : parsed;
  return {
    key,
    value: value as Static<S>,
    modRevision: Number(kv.mod_revision),
    createRevision: Number(kv.create_revision),
    version: Number(kv.version),
    lease: String(kv.lease ?? '0'),
  };
}

/** The entry a single-key read in a transaction found, or undefined when the key does not exist. */
export function decodeRead<S extends TSchema>(
  response: ITxnResponse['responses'][number] | undefined,
  schema?: S,
): Entry<Static<S>> | undefined {
  const kv = response?.response_range?.kvs[0];
  return kv ? decode(kv, schema) : undefined;
}

/** The `range_end` that makes a range cover every key with this prefix. */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
