import type { Keys, Logger, Store, Txn } from '@nubo/shared';
import type { ClusterView } from './cluster-view.js';
import type { PlacementPolicy } from './config.js';

/** The leadership key and the revision we created it at: compared in every write, so a deposed leader cannot write. */
export interface Fence {
  key: string;
  modRevision: number;
}

/** What every piece of scheduler work needs. */
export interface SchedulerContext {
  store: Store;
  keys: Keys;
  view: ClusterView;
  policy: PlacementPolicy;
  maxTxnOps: number;
  maxTxnBytes: number;
  log: Logger;
  fence?: Fence;
}

/** A transaction that fails if this scheduler is no longer the leader. */
export function fencedTxn(ctx: SchedulerContext): Txn {
  const txn = ctx.store.txn();
  if (ctx.fence) txn.compare(ctx.fence.key, ctx.fence.modRevision);
  return txn;
}

export const now = (): string => new Date().toISOString();
