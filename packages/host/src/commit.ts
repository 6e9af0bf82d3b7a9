import {
  type CommitAndReadResult,
  type CommitAndReadSpec,
  commitAndRead,
  GroupCommit,
  type Store,
} from '@nubo/shared';

/** Commits one compare-and-write(-and-read); undefined when a compare failed. */
export type Commit = (spec: CommitAndReadSpec) => Promise<CommitAndReadResult | undefined>;

/** One transaction per spec: what a single host daemon does. */
export function directCommit(store: Store): Commit {
  return (spec) => commitAndRead(store, spec);
}

/**
 * Grouped (see GroupCommit, 'each-turn'): a fleet's claims, spec reads and
 * finishes issued in one turn of the event loop share one transaction.
 */
export function groupedCommit(store: Store): Commit {
  const group = new GroupCommit(store.client, store.maxTxnOps, 'each-turn');
  return (spec) => commitAndRead(store, spec, { group });
}
