import type { Static, TSchema } from '@sinclair/typebox';
import type { IKeyValue, ITxnResponse } from 'etcd3';
import { isNuboError, NuboError } from '../errors.js';
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

/**
 * Told of a record that does not parse or does not fit its schema, which the
 * read then leaves out. Daemons pass one (that logs) so that one bad record,
 * written by hand or by a bug, costs that record and not the whole prefix.
 */
export type OnInvalid = (key: string, err: NuboError, modRevision: number) => void;

/** `decode`, or with `onInvalid`, undefined for a record that is not valid (reported there). */
export function decodeOrSkip<S extends TSchema>(
  kv: IKeyValue,
  schema: S | undefined,
  onInvalid: OnInvalid | undefined,
): Entry<Static<S>> | undefined {
  if (!onInvalid) return decode(kv, schema);
  try {
    return decode(kv, schema);
  } catch (err) {
    if (!isNuboError(err, 'NUBO_STORE_CORRUPT')) throw err;
    onInvalid(kv.key.toString(), err, Number(kv.mod_revision));
    return undefined;
  }
}

/** The entry a single-key read in a transaction found, or undefined when the key does not exist. */
export function decodeRead<S extends TSchema>(
  response: ITxnResponse['responses'][number] | undefined,
  schema?: S,
  onInvalid?: OnInvalid,
): Entry<Static<S>> | undefined {
  const kv = response?.response_range?.kvs[0];
  return kv ? decodeOrSkip(kv, schema, onInvalid) : undefined;
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
