import type { TSchema } from '@sinclair/typebox';
import type { IRequestOp } from 'etcd3';
import { decode, type Entry, encode } from './entry.js';
import { compareOps, type Guard } from './guards.js';
import { guarded } from './rpc-errors.js';
import type { Store } from './store.js';

/** One compared key: its mod_revision must still be `modRevision` (0 = must not exist). */
export type Guarded = Guard;

/** A compare-and-write that may also read keys, as plain data (so several can be merged into one). */
export interface CommitAndReadSpec {
  compare: Guarded[];
  puts: { key: string; value: unknown }[];
  deletes?: string[];
  /** Keys read after the writes, in the same transaction (so at the committed revision); validated with `schema` if given. */
  reads: { key: string; schema?: TSchema }[];
}

/** Entries read, in the order asked; a key that does not exist is undefined. */
export interface CommitAndReadResult {
  revision: number;
  entries: (Entry<unknown> | undefined)[];
}

/**
 * A compare-and-write that also reads keys in the same round-trip: a daemon
 * claims a request and reads the VM it is about in one transaction. Returns
 * undefined when a compare failed (nothing was written).
 */
export async function commitAndRead(
  store: Store,
  spec: CommitAndReadSpec,
): Promise<CommitAndReadResult | undefined> {
  const compare = compareOps(spec.compare);
  const writes: IRequestOp[] = [
    ...spec.puts.map((p) => ({ request_put: { key: Buffer.from(p.key), value: encode(p.value) } })),
    ...(spec.deletes ?? []).map((key) => ({ request_delete_range: { key: Buffer.from(key) } })),
  ];
  const reads: IRequestOp[] = spec.reads.map((r) => ({ request_range: { key: Buffer.from(r.key) } }));
  const res = await guarded('txn', () =>
    store.client.kv.txn({ compare, success: [...writes, ...reads], failure: [] }),
  );
  if (!res.succeeded) return undefined;
  const entries = res.responses.slice(writes.length).map((r, i) => {
    const kv = r.response_range?.kvs[0];
    return kv ? decode(kv, spec.reads[i]!.schema) : undefined;
  });
  return { revision: Number(res.header.revision), entries };
}
