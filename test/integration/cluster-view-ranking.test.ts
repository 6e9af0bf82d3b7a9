import { ClusterView, placeAll, type SchedulerContext } from '@nubo/scheduler';
import { Allocation, emptyAllocation, reserveVm, Vm } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVm, eventually } from './region-fixture.js';
import { TestRegion } from './test-region.js';

/**
 * The cluster view keeps its hosts ranked between batches (only hosts that
 * changed are ranked again), so each batch must still see every change: its
 * own reservations, and allocations written by anyone else.
 */
describe('the ranking the cluster view keeps between batches', () => {
  let region: TestRegion;
  let view: ClusterView;
  let ctx: SchedulerContext;
  const follow = new AbortController();

  beforeAll(async () => {
    region = await TestRegion.start();
    for (const name of ['k1', 'k2', 'k3'])
      await region.startHost(name, { capacity: { cpus: 16, ramMiB: 16_384, diskGiB: 500 } });
    view = new ClusterView(region.store, region.keys);
    await view.start(follow.signal);
    ctx = region.placementContext(view); // spread
  });
  afterAll(async () => {
    follow.abort();
    await region.dispose();
  });

  /** Creates one VM and places it alone (a batch of one); its host. */
  async function placeOne(ramMiB = 1024): Promise<string> {
    const { store, keys } = region;
    const vm = await createVm(store, keys, { imageId: region.image.id, cpus: 1, ramMiB, diskGiB: 1 });
    const ids = (await store.list(keys.requests.scheduler.prefix)).entries.map(
      (e) => (e.value as { id: string }).id,
    );
    expect((await placeAll(ctx, ids)).placed).toBe(1);
    return (await store.require(keys.vms.one(vm.id), Vm)).value.host!;
  }

  it('spreads batch after batch by what earlier batches reserved', async () => {
    const hosts = [];
    for (let i = 0; i < 6; i++) hosts.push(await placeOne());
    // Spread: each host once, then each host again.
    expect(new Set(hosts.slice(0, 3)).size).toBe(3);
    expect(new Set(hosts.slice(3)).size).toBe(3);
  });

  it("re-ranks a host when someone else's write to its allocation arrives", async () => {
    const { store, keys } = region;
    const key = keys.allocations.one('k1');
    const now = await store.get(key, Allocation);
    // Most of k1's RAM taken outside this scheduler (another copy, an admin).
    const other = reserveVm(now?.value ?? emptyAllocation('k1'), 'outside', {
      cpus: 1,
      ramMiB: 12_000,
      diskGiB: 1,
    });
    await store.put(key, other);
    await eventually('the view to see the outside reservation', async () =>
      view.view('k1')?.allocation.vms.outside ? true : undefined,
    );
    const next = [await placeOne(), await placeOne()];
    expect(next).not.toContain('k1');
  });

  it('splits a batch whose transaction would be too large in bytes, and places every VM', async () => {
    const { store, keys } = region;
    const vms = await Promise.all(
      Array.from({ length: 4 }, () =>
        createVm(store, keys, { imageId: region.image.id, cpus: 1, ramMiB: 256, diskGiB: 1 }),
      ),
    );
    const ids = (await store.list(keys.requests.scheduler.prefix)).entries.map(
      (e) => (e.value as { id: string }).id,
    );
    // About one VM's worth of writes per transaction.
    const result = await placeAll({ ...ctx, maxTxnBytes: 3_000 }, ids);
    expect(result).toEqual({ placed: 4, unresourced: 0, dropped: 0, failed: [] });
    for (const vm of vms) expect((await store.require(keys.vms.one(vm.id), Vm)).value.host).toBeDefined();
  });
});
