import { ClusterView, DEFAULT_POLICY, placeAll, type SchedulerContext } from '@nubo/scheduler';
import { Allocation, Vm } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVm } from './region-fixture.js';
import { TestRegion } from './test-region.js';

describe('two schedulers with stale views racing for the same hosts', () => {
  let region: TestRegion;
  const stop = new AbortController();

  beforeAll(async () => {
    region = await TestRegion.start();
    for (const name of ['r1', 'r2', 'r3'])
      await region.startHost(name, { capacity: { cpus: 4, ramMiB: 4096, diskGiB: 100 } });
  });
  afterAll(async () => {
    stop.abort();
    await region.dispose();
  });

  /** A scheduler's state whose view is read once and then never follows etcd: as stale as it gets. */
  async function staleContext(): Promise<{ ctx: SchedulerContext; view: ClusterView }> {
    const view = new ClusterView(region.store, region.keys);
    const once = new AbortController();
    await view.start(once.signal);
    once.abort();
    return { ctx: region.placementContext(view, { ...DEFAULT_POLICY, cpuRatio: 1 }), view };
  }

  it('never over-commits a host: exactly the room there is gets placed', async () => {
    const { store, keys } = region;
    const a = await staleContext();
    const b = await staleContext();
    const refreshA = vi.spyOn(a.view, 'refresh');
    const refreshB = vi.spyOn(b.view, 'refresh');
    const vms = await Promise.all(
      Array.from({ length: 30 }, () =>
        createVm(store, keys, { imageId: region.image.id, cpus: 1, ramMiB: 512 }),
      ),
    );
    const ids = (await store.list(keys.requests.scheduler.prefix)).entries.map(
      (e) => (e.value as { id: string }).id,
    );
    const half = Math.ceil(ids.length / 2);
    const [ra, rb] = await Promise.all([
      placeAll(a.ctx, ids.slice(0, half)),
      placeAll(b.ctx, ids.slice(half)),
    ]);

    // 3 hosts × 4 CPUs = 12 one-CPU VMs, whoever placed them.
    expect(ra.placed + rb.placed).toBe(12);
    expect(ra.unresourced + rb.unresourced).toBe(18);
    expect(refreshA.mock.calls.length + refreshB.mock.calls.length).toBeGreaterThan(0); // the race did happen
    const records = await Promise.all(vms.map((vm) => store.require(keys.vms.one(vm.id), Vm)));
    for (const host of ['r1', 'r2', 'r3']) {
      const alloc = (await store.require(keys.allocations.one(host), Allocation)).value;
      const onHost = records
        .filter((r) => r.value.host === host)
        .map((r) => r.value.id)
        .sort();
      expect(Object.keys(alloc.vms).sort()).toEqual(onHost);
      expect(alloc.used.cpus).toBe(onHost.length);
      expect(alloc.used.cpus).toBeLessThanOrEqual(4);
    }
    expect(await store.count(keys.requests.scheduler.prefix)).toBe(0);
  });

  it('places a request once when both schedulers take the same one', async () => {
    const { store, keys } = region;
    await region.startHost('r4', { capacity: { cpus: 4, ramMiB: 4096, diskGiB: 100 } });
    const a = await staleContext();
    const b = await staleContext();
    const vm = await createVm(store, keys, { imageId: region.image.id, cpus: 1, ramMiB: 64, diskGiB: 1 });
    const [id] = (await store.list(keys.requests.scheduler.prefix)).entries.map(
      (e) => (e.value as { id: string }).id,
    );
    const results = await Promise.allSettled([placeAll(a.ctx, [id!]), placeAll(b.ctx, [id!])]);
    const placed = results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value.placed : 0), 0);
    expect(placed).toBe(1);
    const record = (await store.require(keys.vms.one(vm.id), Vm)).value;
    expect(record.host).toBe('r4');
    const alloc = (await store.require(keys.allocations.one('r4'), Allocation)).value;
    expect(alloc.used.cpus).toBe(1);
  });

  it('a VM changed after its create is placed as it is now, not as its request carries it', async () => {
    const { store, keys } = region;
    const { ctx } = await staleContext();
    const requestOf = async (vmId: string) =>
      (await store.list(keys.requests.scheduler.prefix)).entries
        .map((e) => e.value as { id: string; vmId: string })
        .find((r) => r.vmId === vmId)!.id;
    const renamed = await createVm(store, keys, {
      imageId: region.image.id,
      cpus: 1,
      ramMiB: 64,
      diskGiB: 1,
    });
    await store.put(keys.vms.one(renamed.id), { ...renamed, name: 'renamed-meanwhile' });
    const placed = await placeAll(ctx, [await requestOf(renamed.id)]);
    expect(placed.placed).toBe(1);
    const record = (await store.require(keys.vms.one(renamed.id), Vm)).value;
    expect(record).toMatchObject({ name: 'renamed-meanwhile', state: 'building', host: 'r4' });

    const gone = await createVm(store, keys, { imageId: region.image.id, cpus: 1, ramMiB: 64, diskGiB: 1 });
    await store.put(keys.vms.one(gone.id), { ...gone, state: 'scrub_queue' });
    const dropped = await placeAll(ctx, [await requestOf(gone.id)]);
    expect(dropped).toEqual({ placed: 0, unresourced: 0, dropped: 1, failed: [] });
    expect((await store.require(keys.vms.one(gone.id), Vm)).value.state).toBe('scrub_queue');
    expect(await store.count(keys.requests.scheduler.prefix)).toBe(0);
  });

  it('reads every host again before refusing a VM: a host the view has not seen yet takes it', async () => {
    const { store, keys } = region;
    const { ctx } = await staleContext(); // knows r1–r4 only, and follows nothing
    await region.startHost('late', { capacity: { cpus: 4, ramMiB: 16_384, diskGiB: 100 } });
    const vm = await createVm(store, keys, { imageId: region.image.id, cpus: 1, ramMiB: 8192, diskGiB: 1 });
    const id = (await store.list(keys.requests.scheduler.prefix)).entries
      .map((e) => e.value as { id: string; vmId: string })
      .find((r) => r.vmId === vm.id)!.id;
    expect(await placeAll(ctx, [id])).toMatchObject({ placed: 1, unresourced: 0 });
    expect((await store.require(keys.vms.one(vm.id), Vm)).value.host).toBe('late');
  });
});
