import type { Allocation, Resources } from './schemas/index.js';

/**
 * Arithmetic on `allocations/<host>` records, shared by the scheduler (which
 * reserves) and the host daemons (which release on scrub and migration).
 * Every function returns a new record; callers write it in a transaction
 * that compares the allocation's mod_revision.
 */
export const NO_RESOURCES: Readonly<Resources> = Object.freeze({ cpus: 0, ramMiB: 0, diskGiB: 0 });

export function emptyAllocation(host: string): Allocation {
  return { host, used: { ...NO_RESOURCES }, vms: {} };
}

export function addResources(a: Resources, b: Resources): Resources {
  return { cpus: a.cpus + b.cpus, ramMiB: a.ramMiB + b.ramMiB, diskGiB: a.diskGiB + b.diskGiB };
}

export function subtractResources(a: Resources, b: Resources): Resources {
  return { cpus: a.cpus - b.cpus, ramMiB: a.ramMiB - b.ramMiB, diskGiB: a.diskGiB - b.diskGiB };
}

export function resourcesOf(vm: { cpus: number; ramMiB: number; diskGiB: number }): Resources {
  return { cpus: vm.cpus, ramMiB: vm.ramMiB, diskGiB: vm.diskGiB };
}

/** The allocation with the VM reserved (replacing what it held before, for a resize). */
export function reserveVm(allocation: Allocation, vmId: string, need: Resources): Allocation {
  const released = releaseVm(allocation, vmId);
  return {
    ...released,
    used: addResources(released.used, need),
    vms: { ...released.vms, [vmId]: { ...need } },
  };
}

/** The allocation without the VM; unchanged when it held nothing for it. */
export function releaseVm(allocation: Allocation, vmId: string): Allocation {
  const held = allocation.vms[vmId];
  if (!held) return allocation;
  const { [vmId]: _gone, ...vms } = allocation.vms;
  return { ...allocation, used: subtractResources(allocation.used, held), vms };
}
