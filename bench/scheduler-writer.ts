// The benchmark's load: what the API's create writes (docs/requests.md), in
// one transaction per VM, grouped with the others in flight as the API sends them. Each VM gets a new project, so its quota usage is
// created (compared as absent) without a read first, as an API holding a
// watched view of usage would; test/integration/region-fixture.ts reads it.
import { randomUUID } from 'node:crypto';
import { type Keys, randomMac, type SchedulerRequest, type Store, type Vm } from '@nubo/shared';

export interface Shape {
  imageId: string;
  cpus: number;
  ramMiB: number;
  diskGiB: number;
}

export async function createVmOneTxn(store: Store, keys: Keys, shape: Shape): Promise<Vm> {
  const now = new Date().toISOString();
  const id = randomUUID();
  const projectId = randomUUID();
  const mac = randomMac();
  const networkId = randomUUID();
  const vm: Vm = {
    id,
    projectId,
    name: `vm-${id.slice(0, 8)}`,
    ...shape,
    nics: [{ networkId, mac, ipv6: '2001:db8::1' }],
    sshKeyIds: [],
    state: 'requested',
    createdAt: now,
    updatedAt: now,
  };
  const req: SchedulerRequest = { id: randomUUID(), kind: 'place', vmId: id, createdAt: now, vm };
  const usage = { vms: 1, cpus: shape.cpus, ramMiB: shape.ramMiB, diskGiB: shape.diskGiB };
  await store
    .txn({ grouped: true })
    .create(keys.vms.one(id), vm)
    .create(keys.vmNames.one(projectId, vm.name), id)
    .create(keys.macs.one(mac), { vmId: id, networkId })
    .create(keys.quotaUsage.one(projectId), usage)
    .create(keys.requests.scheduler.one(req.id), req)
    .commit();
  return vm;
}
