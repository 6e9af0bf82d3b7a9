// A record the API caches (tokens, users, projects, ...) that did not parse
// made every list of its prefix fail: the cache never became ready, and every
// request of every tenant fell back to reading etcd. It is now left out alone.
import { createLogger, Type } from '@nubo/shared';
import { uniquePrefix, waitUntil } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { expect, it } from 'vitest';
import { WatchedRecords } from '../src/services/watched.js';

const db = useEtcdStore();
const Thing = Type.Object({ n: Type.Integer() });

it('is ready with every valid record, and drops one that turns invalid', async () => {
  const { store } = db;
  const prefix = uniquePrefix('watched');
  await store.put(`${prefix}a`, { n: 1 });
  await store.client.put(`${prefix}b`).value('{"n":');
  await store.put(`${prefix}c`, { n: 'three' });
  const cache = new WatchedRecords(store, prefix, Thing, createLogger('test', { level: 'silent' })).start();
  await waitUntil(() => cache.isReady, 'the cache to be ready');
  expect(cache.get(`${prefix}a`)).toEqual({ n: 1 });
  expect(cache.get(`${prefix}b`)).toBeUndefined();
  expect(cache.get(`${prefix}c`)).toBeUndefined();

  await store.client.put(`${prefix}a`).value('broken');
  await store.put(`${prefix}d`, { n: 4 });
  await waitUntil(() => cache.get(`${prefix}d`) !== undefined, 'the later record');
  expect(cache.get(`${prefix}a`)).toBeUndefined();
  expect(cache.isReady).toBe(true);
  await cache.stop();
  await store.deletePrefix(prefix);
});
