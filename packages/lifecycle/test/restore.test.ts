import { HostRequest, keyLayout, Quota, SchedulerRequest, Store, Vm } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRestorable, restoreVm } from '../src/restore.js';
import { at, dump, H, newVm, seedProject, writeVm } from './fixtures.js';

const DAY = 24 * H;

describe('assertRestorable', () => {
  const queued = { state: 'scrub_queue', deletedAt: at(0), scrubAfter: at(7 * DAY) };

  it('lets a resource in the scrub queue be restored until its grace period ends', () => {
    expect(() => assertRestorable(queued, new Date(at(7 * DAY - 1)))).not.toThrow();
  });

  it('refuses clearly once the grace period has ended', () => {
    for (const seconds of [7 * DAY, 8 * DAY]) {
      expect(() => assertRestorable(queued, new Date(at(seconds)))).toThrowError(
        expect.objectContaining({
          code: 'NUBO_GRACE_EXPIRED',
          status: 409,
          details: [{ field: '/scrubAfter', message: `ended ${at(7 * DAY)}` }],
        }),
      );
    }
  });

  it('refuses a resource that is not in the scrub queue', () => {
    expect(() => assertRestorable({ state: 'running' }, new Date(at(0)))).toThrowError(
      expect.objectContaining({ code: 'NUBO_INVALID_TRANSITION' }),
    );
    expect(() => assertRestorable({ ...queued, state: 'scrubbing' }, new Date(at(0)))).toThrowError(
      expect.objectContaining({ code: 'NUBO_INVALID_TRANSITION' }),
    );
  });
});

describe('restoreVm on a real etcd', () => {
  let etcd: EtcdCluster;
  let store: Store;
  const keys = keyLayout(uniquePrefix('restore'));
  let projectId: string;

  beforeAll(async () => {
    etcd = await EtcdCluster.start();
    store = new Store({ endpoints: etcd.endpoints });
    projectId = (await seedProject(store, keys)).project.id;
    await store.put(keys.quotaUsage.one(projectId), { vms: 1, cpus: 1, ramMiB: 512, diskGiB: 5 });
  });
  afterAll(async () => {
    await store.deletePrefix(keys.prefix);
    await store.close();
    await etcd.dispose();
  });

  const deleted = (over: Partial<Vm> = {}) =>
    newVm(projectId, {
      state: 'scrub_queue',
      deletedAt: at(0),
      scrubAfter: at(7 * DAY),
      updatedAt: at(0),
      ...over,
    });

  it('within the grace period: restarts it on its host and takes the quota again, in one transaction', async () => {
    const vm = deleted({ host: 'h1' });
    await writeVm(store, keys, vm);
    const restored = await restoreVm(store, keys, vm.id, new Date(at(3 * DAY)));
    expect(restored).toMatchObject({ state: 'restarting', host: 'h1', updatedAt: at(3 * DAY) });
    const stored = (await store.require(keys.vms.one(vm.id), Vm)).value;
    expect(stored.state).toBe('restarting');
    expect(stored.scrubAfter).toBeUndefined();
    const requests = await store.list(keys.requests.host.ofHost('h1'), HostRequest);
    expect(requests.entries.map((e) => e.value)).toEqual([
      expect.objectContaining({ kind: 'start', vmId: vm.id }),
    ]);
    expect((await store.require(keys.quotaUsage.one(projectId), Quota)).value).toEqual({
      vms: 2,
      cpus: 3,
      ramMiB: 2560,
      diskGiB: 25,
    });
  });

  it('with no host: goes back to the scheduler to be placed', async () => {
    const vm = deleted();
    await writeVm(store, keys, vm);
    await restoreVm(store, keys, vm.id, new Date(at(DAY)));
    expect((await store.require(keys.vms.one(vm.id), Vm)).value.state).toBe('requested');
    const requests = await store.list(keys.requests.scheduler.prefix, SchedulerRequest);
    expect(requests.entries.map((e) => e.value)).toEqual([
      expect.objectContaining({ kind: 'place', vmId: vm.id }),
    ]);
  });

  it('after the grace period: NUBO_GRACE_EXPIRED, and nothing is written', async () => {
    const vm = deleted({ host: 'h2' });
    await writeVm(store, keys, vm);
    const before = await dump(store, keys.prefix);
    await expect(restoreVm(store, keys, vm.id, new Date(at(7 * DAY + 1)))).rejects.toMatchObject({
      code: 'NUBO_GRACE_EXPIRED',
    });
    expect(await dump(store, keys.prefix)).toEqual(before);
  });

  it('over the quota: NUBO_QUOTA_EXCEEDED naming what is over', async () => {
    const vm = deleted({ host: 'h3', cpus: 200 });
    await writeVm(store, keys, vm);
    await expect(restoreVm(store, keys, vm.id, new Date(at(DAY)))).rejects.toMatchObject({
      code: 'NUBO_QUOTA_EXCEEDED',
      details: [{ field: '/quota/cpus' }],
    });
  });
});
