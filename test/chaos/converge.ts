// After the faults: wait until the region is quiet (no request left, no VM in
// a transitional state) and the invariant checker finds nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { checkRegion, type Violation, Vm } from '@nubo/shared';
import type { ChaosRegion } from './region-processes.js';

const TRANSITIONAL = new Set(['requested', 'building', 'quiescing', 'restarting', 'updating', 'migrating']);

export interface Convergence {
  converged: boolean;
  ms: number;
  violations: Violation[];
  /** Why the region was not quiet at the last look. */
  busy: string[];
  states: Record<string, number>;
}

export async function waitConverged(region: ChaosRegion, boundMs: number): Promise<Convergence> {
  const t0 = Date.now();
  let last: Convergence = { converged: false, ms: 0, violations: [], busy: [], states: {} };
  while (Date.now() - t0 < boundMs) {
    last = await look(region, t0);
    if (last.converged) return last;
    await sleep(500);
  }
  return last;
}

async function look(region: ChaosRegion, t0: number): Promise<Convergence> {
  const { store, keys } = region;
  const requests = (await store.list(`${keys.prefix}requests/`)).entries.map((e) => e.key);
  const vms = (await store.list(keys.vms.prefix, Vm)).entries.map((e) => e.value);
  const states: Record<string, number> = {};
  for (const vm of vms) states[vm.state] = (states[vm.state] ?? 0) + 1;
  const busy = [
    ...requests.map((k) => `request ${k.slice(keys.prefix.length)}`),
    ...vms.filter((v) => TRANSITIONAL.has(v.state)).map((v) => `vm ${v.id} ${v.state}`),
  ];
  const report = await checkRegion(store, keys, {
    observations: region.observations(),
    overcommit: { cpu: 4, ram: 1, disk: 1 },
    requestBoundMs: 30_000,
  });
  const converged = busy.length === 0 && report.violations.length === 0;
  return { converged, ms: Date.now() - t0, violations: report.violations, busy, states };
}
