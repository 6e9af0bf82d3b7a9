import {
  type CommitAndReadResult,
  type CommitAndReadSpec,
  commitAndRead,
  isNuboError,
  type Store,
} from '@nubo/shared';

/** Commits one compare-and-write(-and-read); undefined when a compare failed. */
export type Commit = (spec: CommitAndReadSpec) => Promise<CommitAndReadResult | undefined>;

/** One transaction per spec: what a single host daemon does. */
export function directCommit(store: Store): Commit {
  return (spec) => commitAndRead(store, spec);
}

interface Pending {
  spec: CommitAndReadSpec;
  resolve: (r: CommitAndReadResult | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Merges the specs submitted during one turn of the event loop into one etcd
 * transaction (claims, spec reads and finishes of many simulated hosts), so
 * a fleet pays one round-trip for a whole batch. Each spec keeps its own
 * meaning: if the merged transaction fails a compare, every spec of the batch
 * is committed alone, so only the ones that really lost a race fail. Two
 * specs that write the same key never share a transaction (etcd forbids it).
 */
export class TxnBatcher {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly store: Store,
    /** Operations per transaction (etcd's `--max-txn-ops`, and kept small enough for its request size). */
    private readonly maxOps: number,
  ) {}

  readonly commit: Commit = (spec) =>
    new Promise((resolve, reject) => {
      this.pending.push({ spec, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    let batch: Pending[] = [];
    let written = new Set<string>();
    let ops = 0;
    let compares = 0;
    for (const item of all) {
      const writes = [...item.spec.puts.map((p) => p.key), ...(item.spec.deletes ?? [])];
      const n = writes.length + item.spec.reads.length;
      const full = ops + n > this.maxOps || compares + item.spec.compare.length > this.maxOps;
      if (batch.length > 0 && (full || writes.some((k) => written.has(k)))) {
        void this.run(batch);
        [batch, written, ops, compares] = [[], new Set(), 0, 0];
      }
      batch.push(item);
      for (const k of writes) written.add(k);
      ops += n;
      compares += item.spec.compare.length;
    }
    if (batch.length > 0) void this.run(batch);
  }

  private async run(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.alone(batch[0]!);
    let result: CommitAndReadResult | undefined;
    try {
      result = await commitAndRead(this.store, merge(batch.map((p) => p.spec)));
    } catch (err) {
      // etcd unreachable: each alone would fail the same way. Anything else (a
      // limit of etcd's the merge broke): each alone, as if never merged.
      if (isNuboError(err, 'NUBO_STORE_UNAVAILABLE')) for (const p of batch) p.reject(err);
      else for (const p of batch) void this.alone(p);
      return;
    }
    if (!result) {
      for (const p of batch) void this.alone(p);
      return;
    }
    let at = 0;
    for (const p of batch) {
      const entries = result.entries.slice(at, at + p.spec.reads.length);
      at += p.spec.reads.length;
      p.resolve({ revision: result.revision, entries });
    }
  }

  private async alone(p: Pending): Promise<void> {
    await commitAndRead(this.store, p.spec).then(p.resolve, p.reject);
  }
}

function merge(specs: CommitAndReadSpec[]): CommitAndReadSpec {
  return {
    compare: specs.flatMap((s) => s.compare),
    puts: specs.flatMap((s) => s.puts),
    deletes: specs.flatMap((s) => s.deletes ?? []),
    reads: specs.flatMap((s) => s.reads),
  };
}
