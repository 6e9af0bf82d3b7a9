import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcesses } from './processes.js';
import { act, createVm, eventually, vmInState } from './region-fixture.js';
import { TestRegion } from './test-region.js';

describe('failures: a killed scheduler leader, a dead host daemon', () => {
  let region: TestRegion;
  const procs = new DaemonProcesses();

  beforeAll(async () => {
    region = await TestRegion.start();
  });
  afterAll(async () => {
    await procs.killAll();
    await region.dispose();
  });

  const env = () => ({
    NUBO_ETCD_ENDPOINTS: region.etcd.endpoints.join(','),
    NUBO_PREFIX: region.prefix,
    NUBO_LEASE_TTL_SECONDS: '2',
  });

  it('a standby takes over when the leader is killed, and placements go on', async () => {
    const { store, keys } = region;
    await region.startHost('fo1');
    const schedulers = [
      procs.start('scheduler', { ...env(), NUBO_SCHEDULER_ID: 'a' }),
      procs.start('scheduler', { ...env(), NUBO_SCHEDULER_ID: 'b' }),
    ];
    const electionKey = keys.elections.one('scheduler');
    const leader = await eventually(
      'a leader',
      async () => (await store.get(electionKey))?.value as { id: string; pid: number } | undefined,
      20_000,
    );
    const first = await createVm(store, keys, { imageId: region.image.id });
    await vmInState(store, keys, first.id, 'running', 20_000);

    const leaderProc = schedulers.find((p) => p.pid === leader.pid)!;
    await procs.kill(leaderProc);
    const next = await eventually(
      'a new leader',
      async () => {
        const v = (await store.get(electionKey))?.value as { id: string; pid: number } | undefined;
        return v && v.pid !== leader.pid ? v : undefined;
      },
      20_000,
    );
    expect(next.id).not.toBe(leader.id);
    const vms = await Promise.all(
      Array.from({ length: 5 }, () => createVm(store, keys, { imageId: region.image.id })),
    );
    for (const vm of vms) expect((await vmInState(store, keys, vm.id, 'running', 20_000)).host).toBe('fo1');
    await procs.killAll();
  });

  it('a host whose daemon dies is found through its lease; its VMs are lost until evacuated', async () => {
    const solo = await TestRegion.start(region.etcd);
    try {
      const host = procs.start('host', {
        ...env(),
        NUBO_PREFIX: solo.prefix,
        NUBO_HOSTNAME: 'doomed',
        NUBO_DRIVER: 'fake',
      });
      await eventually('host registered', async () => solo.store.get(solo.keys.alive.one('doomed')), 20_000);
      solo.startScheduler();
      const vm = await createVm(solo.store, solo.keys, { imageId: solo.image.id });
      await vmInState(solo.store, solo.keys, vm.id, 'running', 20_000);

      await procs.kill(host);
      const lost = await vmInState(solo.store, solo.keys, vm.id, 'unresourced', 20_000);
      expect(lost.reason).toBe('host lost: doomed');
      expect(lost.host).toBe('doomed'); // kept: it may still run there

      await solo.startHost('rescuer');
      await act(solo.store, solo.keys, vm.id, { action: 'evacuate' });
      const moved = await vmInState(solo.store, solo.keys, vm.id, 'running');
      expect(moved.host).toBe('rescuer');
      const old = await solo.store.require(solo.keys.allocations.one('doomed'));
      expect((old.value as { vms: object }).vms).not.toHaveProperty(vm.id);
    } finally {
      await solo.dispose({ keepEtcd: true });
    }
  });
});
