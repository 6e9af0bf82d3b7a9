import type { CommitAndReadSpec } from '@nubo/shared';

/** What the finishing writes need of a transaction (a shared Txn has the same shape). */
export interface TxnWriter {
  compare(key: string, modRevision: number): this;
  put(key: string, value: unknown): this;
  delete(key: string): this;
}

/** Records compares and writes as a CommitAndReadSpec, so they can be committed alone or batched. */
export class SpecTxn implements TxnWriter {
  readonly spec: CommitAndReadSpec = { compare: [], puts: [], deletes: [], reads: [] };

  compare(key: string, modRevision: number): this {
    this.spec.compare.push({ key, modRevision });
    return this;
  }

  put(key: string, value: unknown): this {
    this.spec.puts.push({ key, value });
    return this;
  }

  delete(key: string): this {
    this.spec.deletes!.push(key);
    return this;
  }
}
