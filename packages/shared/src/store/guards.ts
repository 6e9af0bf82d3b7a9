import type { ICompare, IRequestOp, ITxnResponse } from 'etcd3';

/** One compared key: its mod_revision must still be `modRevision` (0 = must not exist). */
export interface Guard {
  key: string;
  modRevision: number;
}

/** The compares of a transaction, one per guard. */
export function compareOps(guards: readonly Guard[]): ICompare[] {
  return guards.map((g) => ({
    key: Buffer.from(g.key),
    target: 'Mod',
    result: 'Equal',
    mod_revision: g.modRevision,
  }));
}

/** A read of each key, in order, as transaction ops. */
export function readOps(keys: readonly string[]): IRequestOp[] {
  return keys.map((key) => ({ request_range: { key: Buffer.from(key) } }));
}

/** About how many bytes a transaction's request carries, its keys and values (etcd refuses requests over 1.5 MiB). */
export function txnBytes(guards: readonly Guard[], ops: readonly IRequestOp[]): number {
  let n = 0;
  for (const g of guards) n += g.key.length;
  for (const op of ops) {
    const put = op.request_put;
    if (put) n += (put.key?.length ?? 0) + (put.value?.length ?? 0);
    else n += (op.request_delete_range ?? op.request_range)?.key?.length ?? 0;
  }
  return n;
}

/** The failure branch: a read of every guarded key, in order, so a refusal can name the keys that moved. */
export function failureReads(guards: readonly Guard[]): IRequestOp[] {
  return readOps(guards.map((g) => g.key));
}

/** The guards whose key is no longer at the compared revision, by the failure branch's reads. */
export function movedKeys(guards: readonly Guard[], reads: ITxnResponse['responses']): string[] {
  return guards.filter((g, i) => revisionRead(reads[i]) !== g.modRevision).map((g) => g.key);
}

function revisionRead(read: ITxnResponse['responses'][number] | undefined): number {
  return Number(read?.response_range?.kvs[0]?.mod_revision ?? 0);
}
