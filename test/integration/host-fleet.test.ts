import { FakeDriver, groupedCommit, MemoryImageStore, SimulatedHostFleet } from '@nubo/host';
import { HostLiveness, Store } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVm, vmInState } from './region-fixture.js';
import { quiet, TestRegion } from './test-region.js';

describe('many simulated hosts in one process (SimulatedHostFleet)', () => {
  let region: TestRegion;
  let store: Store;
  let fleet: SimulatedHostFleet;
  const drivers = new Map<string, FakeDriver>();

  beforeAll(async () => {
    region = await TestRegion.start();
    store = new Store({ endpoints: region.etcd.endpoints });
    const hosts = ['f1', 'f2', 'f3', 'f4'].map((hostname) => {
      const driver = new FakeDriver({ capacity: { cpus: 4, ramMiB: 8192, diskGiB: 100 } });
      drivers.set(hostname, driver);
      return { hostname, driver, images: new MemoryImageStore() };
    });
    fleet = new SimulatedHostFleet({ store, prefix: region.prefix, hosts, log: quiet, leaseTtlSeconds: 2 });
    await fleet.start();
    region.startScheduler();
  });
  afterAll(async () => {
    await fleet.stop({ revoke: true }).catch(() => {});
    await store.close();
    await region.dispose();
  });

  it('registers every host under one lease and builds each VM exactly once', async () => {
    const { keys } = region;
    const alive = await region.store.list(keys.alive.prefix, HostLiveness);
    expect(alive.entries.map((e) => e.value.name).sort()).toEqual(['f1', 'f2', 'f3', 'f4']);
    expect(new Set(alive.entries.map((e) => e.lease)).size).toBe(1);

    const vms = await Promise.all(
      Array.from({ length: 12 }, () => createVm(region.store, keys, { imageId: region.image.id, cpus: 1 })),
    );
    const running = await Promise.all(vms.map((vm) => vmInState(region.store, keys, vm.id, 'running')));
    for (const vm of running) {
      const driver = drivers.get(vm.host!)!;
      expect(driver.power(vm.id)).toBe('running');
      expect(driver.calls.filter((c) => c.vmId === vm.id && c.op === 'define')).toHaveLength(1);
    }
    expect(new Set(running.map((vm) => vm.host)).size).toBe(4); // spread
    expect(await region.store.count(`${keys.prefix}requests/`)).toBe(0);
  });

  it('a batch with one stale compare commits the others and fails only that one', async () => {
    const key = (n: string) => `${region.prefix}batch-test/${n}`;
    const rev = await region.store.put(key('a'), 1);
    await region.store.put(key('b'), 1);
    const commit = groupedCommit(store);
    const [stale, fresh, read] = await Promise.all([
      commit({
        compare: [{ key: key('b'), modRevision: rev }],
        puts: [{ key: key('b'), value: 2 }],
        reads: [],
      }),
      commit({
        compare: [{ key: key('a'), modRevision: rev }],
        puts: [{ key: key('a'), value: 2 }],
        reads: [],
      }),
      commit({ compare: [], puts: [], reads: [{ key: key('a') }, { key: key('none') }] }),
    ]);
    expect(stale).toBeUndefined();
    expect(fresh).toBeDefined();
    expect(read?.entries.map((e) => e?.value)).toHaveLength(2);
    expect((await region.store.get(key('a')))?.value).toBe(2);
    expect((await region.store.get(key('b')))?.value).toBe(1);
    await region.store.deletePrefix(key(''));
  });

  it('when the fleet stops, every host is lost at once and its VMs become unresourced', async () => {
    const vm = await createVm(region.store, region.keys, { imageId: region.image.id });
    await vmInState(region.store, region.keys, vm.id, 'running');
    await fleet.stop({ revoke: true });
    const lost = await vmInState(region.store, region.keys, vm.id, 'unresourced');
    expect(lost.reason).toMatch(/^host lost: f\d$/);
  });
});
