// What broke: with 10,000 VMs the first listing of vms/ was about 6 MB, more
// than the 4 MiB a single gRPC answer may carry, so the index never loaded and
// the service never listened. The listing is now read in pages.
import { keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IndexFeed, VmIndex } from '../../src/index.js';
import { makeNetwork, makeVm, seed } from '../fixtures.js';

const PROJECT = '77777777-7777-4777-8777-777777777777';
const VMS = 360;
const keys = keyLayout(uniquePrefix('regression-big-index'));
let etcd: EtcdCluster;
let store: Store;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
  const net = makeNetwork(PROJECT, 'fd00:8:8:8::/64');
  await seed(store, keys, { networks: [net] });
  const userData = `#!/bin/sh\n# ${'x'.repeat(14_000)}\n`;
  for (let i = 0; i < VMS; i += 40) {
    const vms = Array.from({ length: 40 }, (_, j) => {
      const n = i + j;
      return makeVm({
        name: `vm-${n}`,
        mac: `52:54:00:88:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`,
        network: net,
        userData,
      });
    });
    await seed(store, keys, { vms });
  }
});

afterAll(async () => {
  await store?.deletePrefix(keys.prefix);
  await store?.close();
  await etcd?.dispose();
});

it('loads a vms/ prefix of more than 4 MiB', async () => {
  // A single range read cannot carry it (gRPC's 4 MiB limit): the reason for
  // paging, which Store.list now does itself (packages/shared/test/range-pages.test.ts).
  const index = new VmIndex(keys);
  const feed = new IndexFeed(store, keys, index);
  try {
    await feed.ready;
    expect(index.size).toBe(VMS);
    expect(index.nicByMac('52:54:00:88:01:67')).toBeDefined();
  } finally {
    await feed.stop();
  }
});
