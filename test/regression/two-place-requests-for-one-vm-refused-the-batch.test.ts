// Two place requests for one VM (seen in the chaos test after a restore while
// the first still waited) put the VM twice in the batch's transaction; etcd
// refused the whole batch ("duplicate key given in txn request") every time,
// and the scheduler retried it forever: no placement in the region went on.
import { randomUUID } from 'node:crypto';
import { ClusterView, placeAll } from '@nubo/scheduler';
import { type SchedulerRequest, Vm } from '@nubo/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createVm } from '../integration/region-fixture.js';
import { TestRegion } from '../integration/test-region.js';

let region: TestRegion;

beforeAll(async () => {
  region = await TestRegion.start();
  await region.startHost('d1', { capacity: { cpus: 4, ramMiB: 4096, diskGiB: 100 } });
});
afterAll(async () => {
  await region?.dispose();
});

it('places the VM once, with another VM of the same batch, and drops the second request', async () => {
  const { store, keys } = region;
  const twice = await createVm(store, keys, { imageId: region.image.id });
  const other = await createVm(store, keys, { imageId: region.image.id });
  const again: SchedulerRequest = {
    id: randomUUID(),
    kind: 'place',
    vmId: twice.id,
    createdAt: new Date().toISOString(),
  };
  await store.txn().create(keys.requests.scheduler.one(again.id), again).commit();

  const view = new ClusterView(store, keys);
  const stop = new AbortController();
  await view.start(stop.signal);
  const ctx = region.placementContext(view);
  const ids = (await store.list(keys.requests.scheduler.prefix)).entries.map(
    (e) => (e.value as SchedulerRequest).id,
  );
  expect(ids).toHaveLength(3);
  const result = await placeAll(ctx, ids);
  stop.abort();

  expect(result).toEqual({ placed: 2, unresourced: 0, dropped: 1, failed: [] });
  for (const vm of [twice, other])
    expect((await store.require(keys.vms.one(vm.id), Vm)).value.host).toBe('d1');
  expect(await store.count(keys.requests.scheduler.prefix)).toBe(0);
});
