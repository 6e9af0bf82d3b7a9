import { Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { afterAll, beforeAll, expect, it } from 'vitest';

// listAndWatch used to be an async generator: return() called while a next()
// waited for a change queued behind that next(), so closing a service whose
// watch was idle hung until some key changed (which, on a quiet etcd, is never).

let etcd: EtcdCluster;
let store: Store;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
});
afterAll(async () => {
  await store?.close();
  await etcd?.dispose();
});

it('stops an idle listAndWatch at once, ending the pending next()', async () => {
  const p = uniquePrefix();
  await store.put(`${p}a`, { n: 1 });
  const iter = store.listAndWatch(p);
  expect((await iter.next()).value).toMatchObject({ type: 'reset' });
  const pending = iter.next();
  const stopped = await Promise.race([
    iter.return?.(undefined).then(() => 'stopped'),
    new Promise((resolve) => setTimeout(() => resolve('hung'), 2000)),
  ]);
  expect(stopped).toBe('stopped');
  expect(await pending).toEqual({ value: undefined, done: true });
  await store.deletePrefix(p);
});
