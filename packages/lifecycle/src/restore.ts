import { randomUUID } from 'node:crypto';
import {
  type Entry,
  type HostRequest,
  type Keys,
  Network,
  NuboError,
  nextState,
  Project,
  Quota,
  type SchedulerRequest,
  type Store,
  Vm,
  type VmState,
} from '@nubo/shared';

/** Anything that can wait in the scrub queue: a VM, a network, an SSH key. */
export interface Restorable {
  state?: string;
  scrubAfter?: string;
}

/**
 * Throws unless the resource can still be restored at `now`: it must be in
 * the scrub queue (else NUBO_INVALID_TRANSITION) and its grace period must
 * not have ended (else NUBO_GRACE_EXPIRED, naming `scrubAfter`).
 */
export function assertRestorable(resource: Restorable, now: Date = new Date()): void {
  if (resource.state !== 'scrub_queue') {
    nextState((resource.state ?? 'running') as VmState, 'restore');
  }
  const until = resource.scrubAfter ? Date.parse(resource.scrubAfter) : Number.NaN;
  if (!(now.getTime() < until)) {
    throw new NuboError(
      'NUBO_GRACE_EXPIRED',
      `the grace period ended at ${resource.scrubAfter ?? '(unknown)'}; the resource is being scrubbed and cannot be restored`,
      { details: [{ field: '/scrubAfter', message: `ended ${resource.scrubAfter ?? ''}`.trim() }] },
    );
  }
}

/**
 * The restore of docs/requests.md as one transaction: re-takes the quota
 * (compared), and either restarts the VM on the host that kept its disk
 * (`restarting` + host request `start`) or, with no host, places it again
 * (`requested` + scheduler request `place`). The API can call this as is.
 */
export async function restoreVm(store: Store, keys: Keys, vmId: string, now = new Date()): Promise<Vm> {
  const vmEntry = await store.require(keys.vms.one(vmId), Vm, 'VM');
  const vm = vmEntry.value;
  assertRestorable(vm, now);
  const networks = await activeNetworks(store, keys, vm);
  const project = await store.require(keys.projects.one(vm.projectId), Project, 'project');
  const usageKey = keys.quotaUsage.one(vm.projectId);
  const usage = await store.get(usageKey, Quota);
  const used = usage?.value ?? { vms: 0, cpus: 0, ramMiB: 0, diskGiB: 0 };
  const next = {
    vms: used.vms + 1,
    cpus: used.cpus + vm.cpus,
    ramMiB: used.ramMiB + vm.ramMiB,
    diskGiB: used.diskGiB + vm.diskGiB,
  };
  const over = (Object.keys(next) as (keyof Quota)[]).filter((k) => next[k] > project.value.quota[k]);
  if (over.length > 0) {
    throw new NuboError(
      'NUBO_QUOTA_EXCEEDED',
      `restoring would exceed the project quota: ${over.join(', ')}`,
      {
        details: over.map((k) => ({
          field: `/quota/${k}`,
          message: `would be ${next[k]} of ${project.value.quota[k]}`,
        })),
      },
    );
  }
  const at = now.toISOString();
  const { deletedAt: _d, scrubAfter: _s, ...kept } = vm;
  const restored: Vm = {
    ...kept,
    state: vm.host ? 'restarting' : 'requested',
    reason: 'restored',
    updatedAt: at,
  };
  const txn = store
    .txn()
    .compare(vmEntry.key, vmEntry.modRevision)
    .compare(usageKey, usage?.modRevision ?? 0)
    .put(usageKey, next)
    .put(vmEntry.key, restored);
  for (const net of networks) txn.compare(net.key, net.modRevision);
  const requestId = randomUUID();
  if (vm.host) {
    const req: HostRequest = { id: requestId, kind: 'start', vmId, createdAt: at };
    txn.create(keys.requests.host.one(vm.host, requestId), req);
  } else {
    const req: SchedulerRequest = { id: requestId, kind: 'place', vmId, createdAt: at };
    txn.create(keys.requests.scheduler.one(requestId), req);
  }
  await txn.commit();
  return restored;
}

/**
 * The VM's networks, each required to be `active`: a network deleted after
 * the VM waits in the scrub queue too and must be restored first. They are
 * compared in the restore, so a network deleted meanwhile fails it.
 */
async function activeNetworks(store: Store, keys: Keys, vm: Vm): Promise<Entry<Network>[]> {
  const ids = [...new Set(vm.nics.map((n) => n.networkId))];
  const entries = await Promise.all(ids.map((id) => store.get(keys.networks.one(id), Network)));
  return entries.map((entry, i) => {
    if (entry?.value.state === 'active') return entry;
    const field = `/nics/${vm.nics.findIndex((n) => n.networkId === ids[i])}/networkId`;
    const name = entry?.value.name ?? ids[i];
    throw new NuboError(
      'NUBO_INVALID_TRANSITION',
      entry ? `network ${name} is deleted; restore it first` : `network ${name} no longer exists`,
      { details: [{ field, message: entry ? 'is in the scrub queue' : 'is gone' }] },
    );
  });
}
