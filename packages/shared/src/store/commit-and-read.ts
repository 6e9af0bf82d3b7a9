import type { Static, TSchema } from '@sinclair/typebox';
import type { ICompare, IRequestOp } from 'etcd3';
import { decode, type Entry, encode } from './entry.js';
import { guarded } from './rpc-errors.js';
import type { Store } from './store.js';

/** One compared key: its mod_revision must still be `modRevision` (0 = must not exist). */
export interface Guarded {
  key: string;
  modRevision: number;
}

export interface CommitAndReadSpec {
  compare: Guarded[];
  puts: { key: string; value: unknown }[];
  /** Keys read after the puts, in the same transaction (so at the committed revision). */
  reads: string[];
}

/**
 * A compare-and-put that also reads keys in the same round-trip: a daemon
 * claims a request and reads the VM it is about in one transaction. Returns
 * undefined when a compare failed (nothing was written); reads that miss are
 * `undefined`. Values read are validated with `schema` when one is given.
 */
export async function commitAndRead<S extends TSchema>(
  store: Store,
  spec: CommitAndReadSpec,
  schema?: S,
): Promise<{ revision: number; entries: (Entry<Static<S>> | undefined)[] } | undefined> {
  const compare: ICompare[] = spec.compare.map((g) => ({
    key: Buffer.from(g.key),
    target: 'Mod',
    result: 'Equal',
    mod_revision: g.modRevision,
  }));
  const success: IRequestOp[] = [
    ...spec.puts.map((p) => ({ request_put: { key: Buffer.from(p.key), value: encode(p.value) } })),
    ...spec.reads.map((key) => ({ request_range: { key: Buffer.from(key) } })),
  ];
  const res = await guarded('txn', () => store.client.kv.txn({ compare, success, failure: [] }));
  if (!res.succeeded) return undefined;
  const entries = res.responses.slice(spec.puts.length).map((r) => {
    const kv = r.response_range?.kvs[0];
    return kv ? decode(kv, schema) : undefined;
  });
  return { revision: Number(res.header.revision), entries };
}
