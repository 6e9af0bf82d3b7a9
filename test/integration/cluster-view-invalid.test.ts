import { ClusterView } from '@nubo/scheduler';
import { emptyAllocation } from '@nubo/shared';
import { waitUntil } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRegion } from './test-region.js';

/**
 * A host whose hosts/, alive/ or allocations/ record cannot be read takes no
 * placements (its free room is unknown) until a good record replaces it, and
 * it is never taken for lost: the VMs on it may well run.
 */
describe('the cluster view and records it cannot read', () => {
  let region: TestRegion;
  let view: ClusterView;
  const lost: string[] = [];
  const follow = new AbortController();

  beforeAll(async () => {
    region = await TestRegion.start();
    await region.startHost('v1');
    view = new ClusterView(region.store, region.keys, (h) => lost.push(h));
    await view.start(follow.signal);
  });
  afterAll(async () => {
    follow.abort();
    await region.dispose();
  });

  const placeable = () => view.snapshot().has('v1');

  it('leaves the host out while its allocation is not valid, and takes it back after a good write', async () => {
    const { store, keys } = region;
    expect(placeable()).toBe(true);
    await store.client.put(keys.allocations.one('v1')).value('{"host": "v1", "used": ');
    await waitUntil(() => !placeable(), 'the host to leave placement');
    expect(lost).toEqual([]);

    // A refresh (after a lost race) reads the same bad record: still out, and nothing of it in the view.
    await view.refresh(['v1']);
    expect(placeable()).toBe(false);
    expect(view.silentHostsWithVms()).toEqual([]);

    await store.put(keys.allocations.one('v1'), emptyAllocation('v1'));
    await waitUntil(placeable, 'the host to come back');
  });

  it('leaves out a host whose record fits no schema, in a refresh too', async () => {
    const { store, keys } = region;
    const good = await store.require(keys.hosts.one('v1'));
    await store.put(keys.hosts.one('v1'), { name: 'v1', capacity: 'lots' });
    await waitUntil(() => !placeable(), 'the host to leave placement');
    await view.refresh(['v1']);
    expect(placeable()).toBe(false);
    await store.put(keys.hosts.one('v1'), good.value);
    await waitUntil(placeable, 'the host to come back');
    await view.refresh(['v1']);
    expect(placeable()).toBe(true);
  });
});
