import type { TSchema } from '@sinclair/typebox';
import type { IRequestOp, ITxnResponse } from 'etcd3';
import { decodeRead, type Entry, encode } from './entry.js';
import type { GroupCommit } from './group-commit.js';
import { compareOps, type Guard, readOps } from './guards.js';
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
 * undefined when a compare failed (nothing was written). With a `group`, it
 * is sent through that GroupCommit with whatever else is waiting (a fleet of
 * simulated hosts shares its round trips so).
 */
export async function commitAndRead(
  store: Store,
  spec: CommitAndReadSpec,
  options: { group?: GroupCommit } = {},
): Promise<CommitAndReadResult | undefined> {
  const writes: IRequestOp[] = [
    ...spec.puts.map((p) => ({ request_put: { key: Buffer.from(p.key), value: encode(p.value) } })),
    ...(spec.deletes ?? []).map((key) => ({ request_delete_range: { key: Buffer.from(key) } })),
  ];
  const readKeys = spec.reads.map((r) => r.key);
  let revision: number;
  let reads: ITxnResponse['responses'];
  if (options.group) {
    const writeKeys = [...spec.puts.map((p) => p.key), ...(spec.deletes ?? [])];
    const outcome = await options.group.commit({
      guards: spec.compare,
      ops: writes,
      reads: readKeys,
      writeKeys,
    });
    if (!outcome.succeeded) return undefined;
    ({ revision, reads } = outcome);
  } else {
    const res = await guarded('txn', () =>
      store.client.kv.txn({
        compare: compareOps(spec.compare),
        success: [...writes, ...readOps(readKeys)],
        failure: [],
      }),
    );
    if (!res.succeeded) return undefined;
    revision = Number(res.header.revision);
    reads = res.responses.slice(writes.length);
  }
  const entries = reads.map((r, i) => decodeRead(r, spec.reads[i]!.schema));
  return { revision, entries };
}
