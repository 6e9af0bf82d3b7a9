import type { Keys } from '../keys.js';
import type { Store } from '../store/store.js';
import { checkDomainsOnce, checkNamespacesOwned, checkNoOrphans } from './observed-rules.js';
import {
  checkAddressesUnique,
  checkCapacity,
  checkRequestsNotStuck,
  checkRunningOnLiveHost,
} from './record-rules.js';
import { readSnapshot } from './snapshot.js';
import type { CheckOptions, Violation } from './types.js';

export interface CheckReport {
  revision: number;
  vms: number;
  violations: Violation[];
}

/**
 * Checks the region's promises against etcd (read at one revision) and, where
 * given, what the hosts really run. Used by the chaos tests and by
 * `nubo admin check`. An empty `violations` list is a healthy region.
 */
export async function checkRegion(
  store: Store,
  keys: Keys,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const violations: Violation[] = [];
  const snap = await readSnapshot(store, keys, violations);
  checkRunningOnLiveHost(snap, violations);
  checkCapacity(snap, options, violations);
  checkAddressesUnique(snap, violations);
  checkRequestsNotStuck(snap, options, violations);
  if (options.observations) {
    checkDomainsOnce(snap, options.observations, violations);
    checkNoOrphans(snap, options.observations, violations);
  }
  checkNamespacesOwned(snap, options, violations);
  return { revision: snap.revision, vms: snap.vms.length, violations };
}
