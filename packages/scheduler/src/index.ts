/** @nubo/scheduler: places VMs on hosts, handles resizes, migrations and lost hosts. */
export { freeOf, type HostView, limitOf, shortages } from './capacity.js';
export { ClusterView } from './cluster-view.js';
export { DEFAULT_POLICY, type PlacementPolicy, SchedulerConfig } from './config.js';
export type { Fence, SchedulerContext } from './context.js';
export { Leadership } from './leadership.js';
export { markHostLost } from './lost-hosts.js';
export { migrate } from './migrate.js';
export { placeAll } from './place-all.js';
export { type BatchResult, placeBatch } from './place-batch.js';
export { type PlacementDecision, type PlacementItem, PlacementPlan } from './placement.js';
export { resize } from './resize.js';
export { Scheduler, type SchedulerSettings } from './scheduler.js';
