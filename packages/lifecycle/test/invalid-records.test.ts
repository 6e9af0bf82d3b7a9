// A VM record that was not JSON ended the lifecycle follower of vms/ for good
// (no more events or billing for any tenant), and ended every scrub pass
// before the VMs after it in key order. Both now leave it out and go on.
import { randomUUID } from 'node:crypto';
import { Event, keyLayout } from '@nubo/shared';
import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { expect, it } from 'vitest';
import { Follower } from '../src/follower.js';
import { scrubOnce } from '../src/scrub.js';
import { defaultSources } from '../src/sources.js';
import { at, newVm, seedProject, silent, writeVm } from './fixtures.js';

const db = useEtcdStore();

it('the follower derives the changes after a record that is not JSON', async () => {
  const { store } = db;
  const keys = keyLayout(uniquePrefix('lc-follow'));
  const { project } = await seedProject(store, keys);
  const follower = new Follower({ store, keys, logger: silent }, defaultSources(keys)[0]!);
  const running = follower.run();
  await store.client.put(keys.vms.one(randomUUID())).value('{"state": "runn');
  const vm = newVm(project.id, { name: 'after' });
  await follower.waitFor(await writeVm(store, keys, vm));
  await follower.waitFor(
    await writeVm(store, keys, { ...vm, state: 'building', host: 'h1', updatedAt: at(10) }),
  );
  follower.stop();
  await running;
  const events = (await store.list(keys.events.ofProject(project.id), Event)).entries.map((e) => e.value);
  expect(events.filter((e) => e.resourceId === vm.id).length).toBeGreaterThan(0);
  await store.deletePrefix(keys.prefix);
});

it('a scrub pass scrubs the VMs after a record that is not JSON', async () => {
  const { store } = db;
  const keys = keyLayout(uniquePrefix('lc-scrub'));
  const { project } = await seedProject(store, keys);
  // Key order: the bad record (00000000-…) comes before the VM that is due.
  await store.client.put(keys.vms.one('00000000-0000-4000-8000-000000000000')).value('not json');
  const due = newVm(project.id, { name: 'due', state: 'scrub_queue', scrubAfter: at(0) });
  await writeVm(store, keys, due);
  const report = await scrubOnce(store, keys, new Date(at(60)), silent);
  expect(report.closed).toEqual([due.id]);
  await store.deletePrefix(keys.prefix);
});
