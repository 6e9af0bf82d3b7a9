import { randomUUID } from 'node:crypto';
import { type Commit, directCommit, FakeDriver, HostWorker, MemoryImageStore } from '@nubo/host';
import { HostRequest, Vm } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVm } from './region-fixture.js';
import { quiet, TestRegion } from './test-region.js';

/**
 * A build request names what its VM's spec reads (`specReads`), so the
 * host's claim reads image and networks in the same transaction: claim and
 * finish, two round-trips, instead of three. The hint is only a hint.
 */
describe('host claim reads the spec the request names', () => {
  let region: TestRegion;

  beforeAll(async () => {
    region = await TestRegion.start(); // no scheduler: the test plays it
  });
  afterAll(() => region.dispose());

  /** A VM placed on `host` (state building) and its build request, as the scheduler writes them. */
  async function placed(host: string, specReads: (vm: Vm) => HostRequest['specReads']) {
    const { store, keys } = region;
    const created = await createVm(store, keys, { imageId: region.image.id });
    const vm: Vm = { ...created, state: 'building', host };
    await store.put(keys.vms.one(vm.id), vm);
    const req: HostRequest = {
      id: randomUUID(),
      kind: 'build',
      vmId: vm.id,
      createdAt: new Date().toISOString(),
      specReads: specReads(vm),
    };
    await store.put(keys.requests.host.one(host, req.id), req);
    return { vm, entry: (await store.get(keys.requests.host.one(host, req.id), HostRequest))! };
  }

  async function build(host: string, specReads: (vm: Vm) => HostRequest['specReads']) {
    const { store, keys } = region;
    const { vm, entry } = await placed(host, specReads);
    let commits = 0;
    const direct = directCommit(store);
    const counted: Commit = (spec) => {
      commits++;
      return direct(spec);
    };
    const driver = new FakeDriver();
    const worker = new HostWorker({
      store,
      keys,
      hostname: host,
      driver,
      images: new MemoryImageStore(),
      log: quiet,
      commit: counted,
    });
    const outcome = await new Promise((resolve) => {
      worker.onOutcome = (_req, o) => resolve(o);
      worker.dispatch(entry);
    });
    worker.stop();
    return { vm, outcome, commits, driver, after: (await store.get(keys.vms.one(vm.id), Vm))!.value };
  }

  it('builds in two transactions when the request names the VM image and networks', async () => {
    const r = await build('claim-a', (vm) => ({
      imageId: vm.imageId,
      networkIds: vm.nics.map((n) => n.networkId),
    }));
    expect(r.outcome).toBe('done');
    expect(r.after.state).toBe('running');
    expect(r.commits).toBe(2); // claim (+ spec reads), finish
    expect(r.driver.calls.filter((c) => c.op === 'define')).toHaveLength(1);
    expect(r.driver.domains.get(r.vm.id)?.spec.image.id).toBe(r.vm.imageId);
  });

  it('reads the spec itself when the request names nothing, or names the wrong image', async () => {
    const none = await build('claim-b', () => undefined);
    expect(none.outcome).toBe('done');
    expect(none.commits).toBe(3); // claim, spec read, finish
    const wrong = await build('claim-c', (vm) => ({
      imageId: randomUUID(),
      networkIds: vm.nics.map((n) => n.networkId),
    }));
    expect(wrong.outcome).toBe('done');
    expect(wrong.after.state).toBe('running');
    expect(wrong.commits).toBe(3);
    expect(wrong.driver.domains.get(wrong.vm.id)?.spec.image.id).toBe(wrong.vm.imageId);
  });
});
