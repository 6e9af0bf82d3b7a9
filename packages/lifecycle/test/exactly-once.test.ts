import { BomMovement, Event, keyLayout, Store, type Vm } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneEvents } from '../src/events.js';
import { Follower } from '../src/follower.js';
import { Cursor } from '../src/outbox.js';
import { defaultSources } from '../src/sources.js';
import { at, H, newVm, seedProject, silent, writeVm } from './fixtures.js';

let etcd: EtcdCluster;
let store: Store;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
});
afterAll(async () => {
  await store.close();
  await etcd.dispose();
});

describe('derived writes across restarts', () => {
  const keys = keyLayout(uniquePrefix('once'));
  const follower = () => new Follower({ store, keys, logger: silent }, defaultSources(keys)[0]!);
  afterAll(() => store.deletePrefix(keys.prefix));

  it('derives every change exactly once, whether the daemon ran, stopped or replayed', async () => {
    const { project } = await seedProject(store, keys);
    let a = newVm(project.id, { name: 'a' });
    let b = newVm(project.id, { name: 'b' });
    const first = follower();
    void first.run();
    await writeVm(store, keys, a);
    a = { ...a, state: 'building', host: 'h1', updatedAt: at(10) };
    await first.waitFor(await writeVm(store, keys, a));
    first.stop();

    // While no daemon runs: one VM alone, then two VMs in one transaction (one revision).
    a = { ...a, state: 'running', updatedAt: at(20) };
    await writeVm(store, keys, a);
    b = { ...b, state: 'building', host: 'h1', updatedAt: at(30) };
    const both = { ...a, state: 'quiescing' as const, updatedAt: at(H) };
    const together = await store.txn().put(keys.vms.one(b.id), b).put(keys.vms.one(a.id), both).commit();

    const second = follower();
    void second.run();
    await second.waitFor(together);
    second.stop();
    // The cursor stops at the shared revision; a third run replays it and must add nothing.
    expect((await store.require(keys.lifecycle.cursor('vms'), Cursor)).value.revision).toBe(together);
    const afterSecond = await store.list(keys.events.ofProject(project.id), Event);
    const third = follower();
    void third.run();
    await third.waitFor(together);
    third.stop();

    const events = await store.list(keys.events.ofProject(project.id), Event);
    expect(events.entries.map((e) => e.key)).toEqual(afterSecond.entries.map((e) => e.key));
    const summary = (vm: Vm) =>
      events.entries
        .map((e) => e.value)
        .filter((e) => e.resourceId === vm.id)
        .map((e) => e.toState);
    expect(summary(a)).toEqual(['requested', 'building', 'running', 'quiescing']);
    expect(summary(b)).toEqual(['building']); // first seen (created) in the shared transaction
    // One BOM movement for A (billing starts when it runs); none for B.
    const bom = await store.list(keys.bom.ofProject(project.id), BomMovement);
    expect(bom.entries.map((e) => [e.value.resourceId, e.value.state, e.value.time])).toEqual([
      [a.id, 'running', at(20)],
    ]);
  });

  it('prunes events older than the retention, and only those', async () => {
    const { project } = await seedProject(store, keys);
    const vm = newVm(project.id, { updatedAt: at(0) });
    const f = follower();
    void f.run();
    await writeVm(store, keys, vm);
    await f.waitFor(
      await writeVm(store, keys, { ...vm, state: 'building', host: 'h1', updatedAt: at(2 * H) }),
    );
    f.stop();
    const count = async () => (await store.list(keys.events.ofProject(project.id))).entries.length;
    expect(await count()).toBe(2);
    await pruneEvents(store, keys, new Date(at(H)));
    const left = await store.list(keys.events.ofProject(project.id), Event);
    expect(left.entries.map((e) => e.value.toState)).toEqual(['building']);
  });
});
