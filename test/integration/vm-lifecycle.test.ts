import { Allocation, Vm } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, createVm, eventually, scrubNow, vmInState } from './region-fixture.js';
import { type TestHost, TestRegion } from './test-region.js';

describe('a VM through scheduler and host daemon (fake driver, real etcd)', () => {
  let region: TestRegion;
  let host: TestHost;

  beforeAll(async () => {
    region = await TestRegion.start();
    host = await region.startHost('hv1');
    region.startScheduler();
  });
  afterAll(() => region.dispose());

  it('create → running: placed, reserved, built and started', async () => {
    const { store, keys } = region;
    const vm = await createVm(store, keys, { imageId: region.image.id, cpus: 2, ramMiB: 2048, diskGiB: 20 });
    const running = await vmInState(store, keys, vm.id, 'running');
    expect(running.host).toBe('hv1');
    expect(host.driver.power(vm.id)).toBe('running');
    const alloc = await store.require(keys.allocations.one('hv1'), Allocation);
    expect(alloc.value.vms[vm.id]).toEqual({ cpus: 2, ramMiB: 2048, diskGiB: 20 });
    expect(await store.count(`${keys.prefix}requests/`)).toBe(0);
  });

  it('stop, start, restart, resize, then delete, restore and scrub', async () => {
    const { store, keys } = region;
    const vm = await createVm(store, keys, { imageId: region.image.id });
    await vmInState(store, keys, vm.id, 'running');

    await act(store, keys, vm.id, { action: 'stop' });
    await vmInState(store, keys, vm.id, 'quiesced');
    expect(host.driver.power(vm.id)).toBe('shutoff');

    await act(store, keys, vm.id, { action: 'start' });
    await vmInState(store, keys, vm.id, 'running');
    expect(host.driver.power(vm.id)).toBe('running');

    await act(store, keys, vm.id, { action: 'restart' });
    await vmInState(store, keys, vm.id, 'running');
    expect(host.driver.calls.filter((c) => c.vmId === vm.id).map((c) => c.op)).toContain('reboot');

    await act(store, keys, vm.id, { action: 'resize', cpus: 2, ramMiB: 2048, diskGiB: 15 });
    const resized = await eventually('resize applied', async () => {
      const v = (await store.get(keys.vms.one(vm.id), Vm))?.value;
      return v?.state === 'running' && v.cpus === 2 ? v : undefined;
    });
    expect(resized).toMatchObject({ ramMiB: 2048, diskGiB: 15 });
    expect(resized.pending).toBeUndefined();
    expect(host.driver.domains.get(vm.id)?.spec.diskGiB).toBe(15);
    const alloc = await store.require(keys.allocations.one('hv1'), Allocation);
    expect(alloc.value.vms[vm.id]).toEqual({ cpus: 2, ramMiB: 2048, diskGiB: 15 });

    await act(store, keys, vm.id, { action: 'delete' });
    await eventually('quiesce_for_scrub done', async () =>
      (await store.count(keys.requests.host.ofHost('hv1'))) === 0 ? true : undefined,
    );
    expect(host.driver.power(vm.id)).toBe('shutoff');
    expect((await store.require(keys.vms.one(vm.id), Vm)).value.state).toBe('scrub_queue');

    await act(store, keys, vm.id, { action: 'restore' });
    await vmInState(store, keys, vm.id, 'running');
    expect(host.driver.power(vm.id)).toBe('running');

    await act(store, keys, vm.id, { action: 'delete' });
    await eventually('stopped for scrub', async () =>
      host.driver.power(vm.id) === 'shutoff' ? true : undefined,
    );
    await scrubNow(store, keys, vm.id);
    await vmInState(store, keys, vm.id, 'closed');
    expect(host.driver.domains.has(vm.id)).toBe(false);
    const after = await store.require(keys.allocations.one('hv1'), Allocation);
    expect(after.value.vms[vm.id]).toBeUndefined();
    expect(await store.get(keys.macs.one(vm.nics[0]!.mac))).toBeUndefined();
    expect(await store.get(keys.vmNames.one(vm.projectId, vm.name))).toBeUndefined();
  });

  it('a resize that does not fit goes back with the reason and gives the quota back', async () => {
    const { store, keys } = region;
    const vm = await createVm(store, keys, { imageId: region.image.id });
    await vmInState(store, keys, vm.id, 'running');
    await act(store, keys, vm.id, { action: 'resize', cpus: 64, ramMiB: 1024, diskGiB: 10 });
    const back = await eventually('resize refused', async () => {
      const v = (await store.get(keys.vms.one(vm.id), Vm))?.value;
      return v?.state === 'running' && v.reason ? v : undefined;
    });
    expect(back.reason).toMatch(/resize refused: host hv1 lacks free CPU/);
    expect(back.cpus).toBe(1);
    expect(back.pending).toBeUndefined();
    const usage = await store.require(keys.quotaUsage.one(vm.projectId));
    expect(usage.value).toMatchObject({ cpus: 1 });
  });

  it('a VM no host can take ends unresourced with a reason in words', async () => {
    const { store, keys } = region;
    const vm = await createVm(store, keys, { imageId: region.image.id, ramMiB: 1_000_000 });
    const failed = await vmInState(store, keys, vm.id, 'unresourced');
    expect(failed.reason).toMatch(/no host can take this VM .*1 lack free RAM/);
    expect(failed.host).toBeUndefined();
  });

  it('a driver failure ends unresourced with the hypervisor’s words', async () => {
    const { store, keys } = region;
    host.driver.failNext('define', 'disk pool is full');
    const vm = await createVm(store, keys, { imageId: region.image.id });
    const failed = await vmInState(store, keys, vm.id, 'unresourced');
    expect(failed.reason).toBe('build failed on hv1: disk pool is full');
  });
});
