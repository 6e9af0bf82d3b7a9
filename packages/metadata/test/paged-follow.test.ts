import { Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listPaged, PAGE_SIZE } from '../src/paged-follow.js';

let etcd: EtcdCluster;
let store: Store;
const prefix = uniquePrefix('paged');

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
});

afterAll(async () => {
  await store?.deletePrefix(prefix);
  await store?.close();
  await etcd?.dispose();
});

it('lists more keys than one page, each once, at one revision, and nothing outside the prefix', async () => {
  const count = PAGE_SIZE * 2 + 7;
  const txn = store.txn();
  for (let i = 0; i < count; i++) txn.put(`${prefix}k/${String(i).padStart(5, '0')}`, { i });
  txn.put(`${prefix}l/outside`, { i: -1 });
  const written = await txn.commit();
  const { entries, revision } = await listPaged(store, `${prefix}k/`);
  expect(revision).toBe(written);
  expect(entries.map((e) => (e.value as { i: number }).i)).toEqual(
    Array.from({ length: count }, (_, i) => i),
  );
});
