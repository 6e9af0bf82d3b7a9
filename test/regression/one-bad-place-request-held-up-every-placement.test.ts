// A batch that failed for a reason one of its requests carried (here a VM
// record that is not JSON) failed whole, and the scheduler retried the same
// batch every 200 ms: no other VM in the region was placed while that request
// was pending. The batch is now halved down to the request that fails alone,
// which is set aside with a growing wait, and every other request is placed.
import { randomUUID } from 'node:crypto';
import { ClusterView, placeAll } from '@nubo/scheduler';
import { type SchedulerRequest, Vm } from '@nubo/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createVm, eventually } from '../integration/region-fixture.js';
import { TestRegion } from '../integration/test-region.js';

let region: TestRegion;

beforeAll(async () => {
  region = await TestRegion.start();
  await region.startHost('d1', { capacity: { cpus: 8, ramMiB: 8192, diskGiB: 200 } });
});
afterAll(async () => {
  await region?.dispose();
});

/** A place request for a VM whose record holds no JSON; the request does not carry the VM, so it is read. */
async function corruptRequest(): Promise<string> {
  const { store, keys } = region;
  const vmId = randomUUID();
  await store.client.put(keys.vms.one(vmId)).value('{"id": not json');
  const req: SchedulerRequest = {
    id: randomUUID(),
    kind: 'place',
    vmId,
    createdAt: new Date().toISOString(),
  };
  await store.txn().create(keys.requests.scheduler.one(req.id), req).commit();
  return req.id;
}

async function pendingIds(): Promise<string[]> {
  const { store, keys } = region;
  return (await store.list(keys.requests.scheduler.prefix)).entries.map(
    (e) => (e.value as SchedulerRequest).id,
  );
}

it('places every other request of the batch and returns the bad one as failed', async () => {
  const { store, keys } = region;
  const before = await createVm(store, keys, { imageId: region.image.id });
  const bad = await corruptRequest();
  const after = await createVm(store, keys, { imageId: region.image.id });

  const view = new ClusterView(store, keys);
  const stop = new AbortController();
  await view.start(stop.signal);
  const ids = await pendingIds();
  expect(ids).toHaveLength(3);
  const result = await placeAll(region.placementContext(view), ids);
  stop.abort();

  expect(result).toMatchObject({ placed: 2, unresourced: 0, dropped: 0 });
  expect(result.failed.map((f) => f.id)).toEqual([bad]);
  expect(result.failed[0]!.error).toMatchObject({ code: 'NUBO_STORE_CORRUPT' });
  for (const vm of [before, after])
    expect((await store.require(keys.vms.one(vm.id), Vm)).value.host).toBe('d1');
  expect(await pendingIds()).toEqual([bad]);
  await store.deletePrefix(keys.requests.scheduler.prefix);
});

it('a running scheduler keeps placing new VMs while the bad request waits', async () => {
  const { store, keys } = region;
  const bad = await corruptRequest();
  const first = await createVm(store, keys, { imageId: region.image.id });
  region.startScheduler();
  const placed = (vmId: string) => async () =>
    (await store.require(keys.vms.one(vmId), Vm)).value.host === 'd1' ? true : undefined;
  await eventually('the VM batched with the bad request to be placed', placed(first.id));
  // Created while the bad request is set aside (or being tried again).
  const second = await createVm(store, keys, { imageId: region.image.id });
  await eventually('a VM created after it to be placed', placed(second.id));
  expect(await pendingIds()).toEqual([bad]);
});
