import type { Allocation, Host, Resources } from '@nubo/shared';
import type { PlacementPolicy } from './config.js';

/** What the scheduler knows of one host, with the revisions a placement compares. */
export interface HostView {
  name: string;
  host: Host;
  /** mod_revision of `alive/<name>`; 0 when the host daemon's lease is gone. */
  aliveRev: number;
  allocation: Allocation;
  /** mod_revision of `allocations/<name>`; 0 when nothing was ever reserved there. */
  allocationRev: number;
}

/** A host's capacity under the overcommit ratios. */
export function limitOf(host: Host, policy: PlacementPolicy): Resources {
  return {
    cpus: Math.floor(host.capacity.cpus * policy.cpuRatio),
    ramMiB: Math.floor(host.capacity.ramMiB * policy.ramRatio),
    diskGiB: Math.floor(host.capacity.diskGiB * policy.diskRatio),
  };
}

export function freeOf(view: HostView, policy: PlacementPolicy): Resources {
  const limit = limitOf(view.host, policy);
  const used = view.allocation.used;
  return {
    cpus: limit.cpus - used.cpus,
    ramMiB: limit.ramMiB - used.ramMiB,
    diskGiB: limit.diskGiB - used.diskGiB,
  };
}

/** The resources `need` lacks on a host with `free` left, in words ("RAM", "CPU"), or none. */
export function shortages(need: Resources, free: Resources): string[] {
  const short: string[] = [];
  if (need.cpus > free.cpus) short.push('CPU');
  if (need.ramMiB > free.ramMiB) short.push('RAM');
  if (need.diskGiB > free.diskGiB) short.push('disk');
  return short;
}

/** The weigher's score of a host with `free` left: its share of RAM left (spread prefers more, pack less). */
export function weigh(limit: Resources, free: Resources, policy: PlacementPolicy): number {
  const share = limit.ramMiB > 0 ? free.ramMiB / limit.ramMiB : 0;
  return policy.weigher === 'spread' ? share : -share;
}
