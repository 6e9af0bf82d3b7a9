import { FakeDriver } from '@nubo/host';
import { Vm } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, createVm, eventually, vmInState } from './region-fixture.js';
import { TestRegion } from './test-region.js';

describe('host daemon: requests while down, claim once, reconcile, migration', () => {
  let region: TestRegion;

  beforeAll(async () => {
    region = await TestRegion.start();
    region.startScheduler();
  });
  afterAll(() => region.dispose());

  it('does on start what was asked while it was down', async () => {
    const { store, keys } = region;
    const machine = new FakeDriver();
    const first = await region.startHost('down1', { driver: machine, ttl: 10 });
    const vm = await createVm(store, keys, { imageId: region.image.id });
    await vmInState(store, keys, vm.id, 'running');

    await region.stopHost(first);
    await act(store, keys, vm.id, { action: 'stop' });
    await new Promise((r) => setTimeout(r, 300));
    expect(machine.power(vm.id)).toBe('running'); // nobody there to do it

    await region.startHost('down1', { driver: machine, ttl: 10 });
    await vmInState(store, keys, vm.id, 'quiesced');
    expect(machine.power(vm.id)).toBe('shutoff');
  });

  it('runs a request once even with two daemons claiming it', async () => {
    const { store, keys } = region;
    const machine = new FakeDriver();
    await region.startHost('twin', { driver: machine });
    await region.startHost('twin', { driver: machine });
    const vms = await Promise.all(
      Array.from({ length: 10 }, () => createVm(store, keys, { imageId: region.image.id })),
    );
    const placed = await Promise.all(vms.map((vm) => vmInState(store, keys, vm.id, 'running')));
    const here = placed.filter((vm) => vm.host === 'twin');
    expect(here.length).toBeGreaterThan(0);
    for (const vm of here)
      expect(machine.calls.filter((c) => c.vmId === vm.id && c.op === 'define')).toHaveLength(1);
  });

  it('reconciles: starts, stops, reports strangers, destroys nothing', async () => {
    const { store, keys } = region;
    const machine = new FakeDriver();
    const host = await region.startHost('rec1', { driver: machine });
    const a = await createVm(store, keys, { imageId: region.image.id });
    const b = await createVm(store, keys, { imageId: region.image.id });
    await vmInState(store, keys, a.id, 'running');
    await vmInState(store, keys, b.id, 'running');
    await act(store, keys, b.id, { action: 'stop' });
    await vmInState(store, keys, b.id, 'quiesced');

    await machine.stop(a.id); // crashed guest: should run
    await machine.start(b.id); // started by hand: should not
    const stray = '0b9f6c1e-2f3a-4d5b-8c7d-9e0f1a2b3c4d';
    await machine.define({
      vmId: stray,
      hostname: 'x',
      cpus: 1,
      ramMiB: 64,
      diskGiB: 1,
      image: { id: stray, path: '/x', format: 'raw' },
      nics: [],
    });
    await machine.start(stray);
    machine.addForeign('someone-elses-vm');

    const report = await host.daemon.reconcileNow();
    expect(report.started).toEqual([`nubo-${a.id}`]);
    expect(report.stopped.sort()).toEqual([`nubo-${b.id}`, `nubo-${stray}`].sort());
    expect(report.unowned).toEqual([`nubo-${stray}`]);
    expect(report.foreign).toEqual(['someone-elses-vm']);
    expect(machine.power(a.id)).toBe('running');
    expect(machine.power(b.id)).toBe('shutoff');
    expect(machine.domains.has(stray)).toBe(true); // stopped, never destroyed
    expect(machine.calls.some((c) => c.op === 'destroy')).toBe(false);
  });

  it('migrates: target defined and started, host switched only when the target is done', async () => {
    const { store, keys } = region;
    const src = await region.startHost('mig-src');
    const dst = await region.startHost('mig-dst');
    const vm = await createVm(store, keys, { imageId: region.image.id });
    const placed = await vmInState(store, keys, vm.id, 'running');
    const [from, to] = placed.host === 'mig-src' ? [src, dst] : placed.host === 'mig-dst' ? [dst, src] : [];
    if (!from || !to) return expect.fail(`placed on ${placed.host}, not a migration host`);
    await act(store, keys, vm.id, { action: 'migrate', targetHost: to.daemon.name });
    const moved = await eventually('migrated', async () => {
      const v = (await store.get(keys.vms.one(vm.id), Vm))?.value;
      return v?.state === 'running' && v.host === to.daemon.name ? v : undefined;
    });
    expect(moved.targetHost).toBeUndefined();
    expect(to.driver.power(vm.id)).toBe('running');
    expect(from.driver.power(vm.id)).toBe('shutoff');
    const fromAlloc = await store.require(keys.allocations.one(from.daemon.name));
    const toAlloc = await store.require(keys.allocations.one(to.daemon.name));
    expect((fromAlloc.value as { vms: object }).vms).not.toHaveProperty(vm.id);
    expect((toAlloc.value as { vms: object }).vms).toHaveProperty(vm.id);
  });

  it('refuses a migration to a host without room, with the reason', async () => {
    const { store, keys } = region;
    await region.startHost('tiny', { capacity: { cpus: 1, ramMiB: 128, diskGiB: 1 } });
    const vm = await createVm(store, keys, { imageId: region.image.id });
    await vmInState(store, keys, vm.id, 'running');
    await act(store, keys, vm.id, { action: 'migrate', targetHost: 'tiny' });
    const back = await eventually('migration refused', async () => {
      const v = (await store.get(keys.vms.one(vm.id), Vm))?.value;
      return v?.state === 'running' && v.reason ? v : undefined;
    });
    expect(back.reason).toMatch(/migration to tiny refused: the target lacks free RAM, disk/);
    expect(back.targetHost).toBeUndefined();
  });
});
