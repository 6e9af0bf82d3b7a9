// Writes what the API would write (docs/requests.md), straight to etcd, so the
// scheduler and host daemons can be tested before and apart from the API.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Hypervisor,
  type Image,
  type Keys,
  QuotaUsage,
  randomMac,
  type SchedulerRequest,
  type Store,
  type Txn,
  Vm,
  type VmState,
} from '@nubo/shared';

const now = () => new Date().toISOString();

export async function seedImage(
  store: Store,
  keys: Keys,
  hypervisors: Hypervisor[] = ['fake'],
): Promise<Image> {
  const id = randomUUID();
  const image: Image = {
    id,
    name: `img-${id.slice(0, 8)}`,
    format: 'qcow2',
    source: 'tiny.qcow2',
    sizeBytes: 1 << 20,
    hypervisors,
    state: 'ready',
    createdAt: now(),
  };
  await store.put(keys.images.one(id), image);
  return image;
}

export interface VmShape {
  cpus?: number;
  ramMiB?: number;
  diskGiB?: number;
  imageId: string;
  projectId?: string;
  name?: string;
}

/** The API's create: VM `requested`, name index, MACs, quota usage and a `place` request, in one transaction. */
export async function createVm(store: Store, keys: Keys, shape: VmShape): Promise<Vm> {
  const id = randomUUID();
  const projectId = shape.projectId ?? randomUUID();
  const mac = randomMac();
  const vm: Vm = {
    id,
    projectId,
    name: shape.name ?? `vm-${id.slice(0, 8)}`,
    cpus: shape.cpus ?? 1,
    ramMiB: shape.ramMiB ?? 1024,
    diskGiB: shape.diskGiB ?? 10,
    imageId: shape.imageId,
    nics: [{ networkId: randomUUID(), mac, ipv6: '2001:db8::1' }],
    sshKeyIds: [],
    state: 'requested',
    createdAt: now(),
    updatedAt: now(),
  };
  const txn = store.txn().create(keys.vms.one(id), vm).create(keys.vmNames.one(projectId, vm.name), id);
  txn.create(keys.macs.one(mac), { vmId: id, networkId: vm.nics[0]!.networkId });
  await addUsage(store, keys, txn, projectId, {
    vms: 1,
    cpus: vm.cpus,
    ramMiB: vm.ramMiB,
    diskGiB: vm.diskGiB,
  });
  // As the API's create: the place request carries the VM it was written with.
  await schedulerRequest(txn, keys, 'place', id, vm).commit();
  return vm;
}

function schedulerRequest(txn: Txn, keys: Keys, kind: SchedulerRequest['kind'], vmId: string, vm?: Vm): Txn {
  const req: SchedulerRequest = { id: randomUUID(), kind, vmId, createdAt: now(), ...(vm ? { vm } : {}) };
  return txn.create(keys.requests.scheduler.one(req.id), req);
}

function hostRequest(txn: Txn, keys: Keys, host: string, kind: string, vmId: string): Txn {
  const id = randomUUID();
  return txn.create(keys.requests.host.one(host, id), { id, kind, vmId, createdAt: now() });
}

async function addUsage(
  store: Store,
  keys: Keys,
  txn: Txn,
  projectId: string,
  delta: QuotaUsage,
): Promise<void> {
  const key = keys.quotaUsage.one(projectId);
  const cur = await store.get(key, QuotaUsage);
  const base = cur?.value ?? { vms: 0, cpus: 0, ramMiB: 0, diskGiB: 0 };
  const next = {
    vms: base.vms + delta.vms,
    cpus: base.cpus + delta.cpus,
    ramMiB: base.ramMiB + delta.ramMiB,
    diskGiB: base.diskGiB + delta.diskGiB,
  };
  txn.compare(key, cur?.modRevision ?? 0).put(key, next);
}

export type ApiAction =
  | { action: 'stop' | 'start' | 'restart' | 'delete' | 'restore' | 'evacuate' }
  | { action: 'resize'; cpus: number; ramMiB: number; diskGiB: number }
  | { action: 'migrate'; targetHost: string };

/** One user (or admin) action, written as the API writes it: VM change and request in one transaction. */
export async function act(store: Store, keys: Keys, vmId: string, a: ApiAction): Promise<void> {
  const entry = await store.require(keys.vms.one(vmId), Vm);
  const vm = entry.value;
  const txn = store.txn().compare(entry.key, entry.modRevision);
  const put = (v: Partial<Vm>) => txn.put(entry.key, { ...vm, ...v, updatedAt: now() });
  const host = vm.host!;
  switch (a.action) {
    case 'stop':
      put({ state: 'quiescing' });
      hostRequest(txn, keys, host, 'stop', vmId);
      break;
    case 'start':
    case 'restart':
      put({ state: 'restarting' });
      hostRequest(txn, keys, host, a.action, vmId);
      break;
    case 'resize': {
      const pending = { cpus: a.cpus, ramMiB: a.ramMiB, diskGiB: a.diskGiB };
      put({ state: 'updating', pending, resumeState: vm.state as 'running' | 'quiesced' });
      const delta = {
        vms: 0,
        cpus: a.cpus - vm.cpus,
        ramMiB: a.ramMiB - vm.ramMiB,
        diskGiB: a.diskGiB - vm.diskGiB,
      };
      await addUsage(store, keys, txn, vm.projectId, delta);
      schedulerRequest(txn, keys, 'resize', vmId);
      break;
    }
    case 'migrate':
      put({ state: 'migrating', targetHost: a.targetHost, resumeState: vm.state as 'running' | 'quiesced' });
      schedulerRequest(txn, keys, 'migrate', vmId);
      break;
    case 'delete': {
      const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
      put({ state: 'scrub_queue', deletedAt: now(), scrubAfter: later });
      const back = { vms: -1, cpus: -vm.cpus, ramMiB: -vm.ramMiB, diskGiB: -vm.diskGiB };
      await addUsage(store, keys, txn, vm.projectId, back);
      if (vm.host) hostRequest(txn, keys, host, 'quiesce_for_scrub', vmId);
      break;
    }
    case 'restore': {
      const { deletedAt: _d, scrubAfter: _s, ...rest } = vm;
      txn.put(entry.key, { ...rest, state: 'restarting', updatedAt: now() });
      await addUsage(store, keys, txn, vm.projectId, {
        vms: 1,
        cpus: vm.cpus,
        ramMiB: vm.ramMiB,
        diskGiB: vm.diskGiB,
      });
      hostRequest(txn, keys, host, 'start', vmId);
      break;
    }
    case 'evacuate':
      put({ state: 'requested' });
      schedulerRequest(txn, keys, 'evacuate', vmId);
      break;
  }
  await txn.commit();
}

/** What the lifecycle's scrub loop does when the grace period is over. */
export async function scrubNow(store: Store, keys: Keys, vmId: string): Promise<void> {
  const entry = await store.require(keys.vms.one(vmId), Vm);
  const txn = store
    .txn()
    .compare(entry.key, entry.modRevision)
    .put(entry.key, { ...entry.value, state: 'scrubbing', updatedAt: now() });
  await hostRequest(txn, keys, entry.value.host!, 'scrub', vmId).commit();
}

/** Polls until `check` returns a value (not undefined), or fails naming what it waited for. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(25);
  }
}

/** Waits until the VM is in `state`; returns its record. */
export function vmInState(
  store: Store,
  keys: Keys,
  vmId: string,
  state: VmState,
  timeoutMs?: number,
): Promise<Vm> {
  return eventually(
    `VM ${vmId} to be ${state}`,
    async () => {
      const vm = (await store.get(keys.vms.one(vmId), Vm))?.value;
      return vm?.state === state ? vm : undefined;
    },
    timeoutMs,
  );
}
