import type { Static, TSchema } from '@sinclair/typebox';
import { decodeRead, type Entry, type OnInvalid } from './entry.js';
import { ETCD_DEFAULT_MAX_TXN_OPS } from './group-commit.js';
import { readOps } from './guards.js';
import { guarded } from './rpc-errors.js';
import type { Store } from './store.js';

/**
 * Reads many keys in one round-trip (a transaction of range reads), all at the
 * same revision. Missing keys come back as `undefined`, in the order asked.
 * Daemons use it to read a whole batch (VMs, requests, images) at once.
 * More keys than etcd allows in one transaction (`--max-txn-ops`, 128 by
 * default) are read in several chunks, in parallel; each chunk is consistent
 * in itself, and `revision` is the oldest of them. With `onInvalid`, a record
 * that is not valid comes back as `undefined` too, and is reported there.
 */
export async function readMany<S extends TSchema>(
  store: Store,
  keys: readonly string[],
  schema?: S,
  options: { chunk?: number; onInvalid?: OnInvalid } = {},
): Promise<{ entries: (Entry<Static<S>> | undefined)[]; revision: number }> {
  const chunk = options.chunk ?? DEFAULT_READ_CHUNK;
  if (keys.length === 0) return { entries: [], revision: 0 };
  const parts: string[][] = [];
  for (let i = 0; i < keys.length; i += chunk) parts.push(keys.slice(i, i + chunk));
  const results = await Promise.all(parts.map((part) => readChunk(store, part, schema, options.onInvalid)));
  return {
    entries: results.flatMap((r) => r.entries),
    revision: Math.min(...results.map((r) => r.revision)),
  };
}

/** etcd's default `--max-txn-ops`. */
export const DEFAULT_READ_CHUNK = ETCD_DEFAULT_MAX_TXN_OPS;

async function readChunk<S extends TSchema>(
  store: Store,
  keys: readonly string[],
  schema: S | undefined,
  onInvalid: OnInvalid | undefined,
): Promise<{ entries: (Entry<Static<S>> | undefined)[]; revision: number }> {
  const res = await guarded('readMany', () =>
    store.client.kv.txn({
      compare: [],
      success: readOps(keys),
      failure: [],
    }),
  );
  const entries = res.responses.map((r) => decodeRead(r, schema, onInvalid));
  return { entries, revision: Number(res.header.revision) };
}
