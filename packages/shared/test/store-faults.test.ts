import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { afterEach, describe, expect, it } from 'vitest';
import { Store, type WatchChange, type WatchEvent } from '../src/index.js';

let etcd: EtcdCluster | undefined;
let store: Store | undefined;

afterEach(async () => {
  await store?.close();
  await etcd?.dispose();
  store = undefined;
  etcd = undefined;
});

/** Reads events from an iterator in the background until `count` arrive. */
function collect<T>(iter: AsyncIterable<WatchChange<T>>, count: number): Promise<WatchChange<T>[]> {
  return (async () => {
    const out: WatchChange<T>[] = [];
    for await (const ev of iter) {
      out.push(ev);
      if (out.length >= count) break;
    }
    return out;
  })();
}

async function retry<T>(op: () => Promise<T>, attempts = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await op();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('Store under faults', () => {
  it('resumes a watch across an etcd restart without missing or repeating events', async () => {
    etcd = await EtcdCluster.start();
    store = new Store({ endpoints: etcd.endpoints, callTimeoutMs: 2000 });
    const p = uniquePrefix();
    const start = await store.put(`${p}seed`, { n: -1 });
    const events = collect(store.watch(p, { afterRevision: start }), 10);
    for (let n = 0; n < 5; n++) await store.put(`${p}k${n}`, { n });
    await etcd.restartMember(0);
    // Writes from another client while ours is reconnecting, then more after.
    const other = new Store({ endpoints: etcd.endpoints });
    for (let n = 5; n < 10; n++) await retry(() => other.put(`${p}k${n}`, { n }));
    await other.close();
    const got = await events;
    expect(got.map((e) => e.key)).toEqual(Array.from({ length: 10 }, (_, n) => `${p}k${n}`));
    const revisions = got.map((e) => e.revision);
    expect(new Set(revisions).size).toBe(10);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
  });

  it('recovers a watch whose revision was compacted by listing again', async () => {
    etcd = await EtcdCluster.start();
    store = new Store({ endpoints: etcd.endpoints });
    const p = uniquePrefix();
    const old = await store.put(`${p}a`, { n: 1 });
    await store.put(`${p}a`, { n: 2 });
    const now = await store.put(`${p}b`, { n: 3 });
    await store.client.kv.compact({ revision: now, physical: true });

    await expect(collect(store.watch(p, { afterRevision: old - 1 }), 1)).rejects.toMatchObject({
      code: 'NUBO_WATCH_COMPACTED',
    });

    const iter = store.listAndWatch(p)[Symbol.asyncIterator]();
    const first = (await iter.next()).value as WatchEvent<{ n: number }>;
    expect(first.type).toBe('reset');
    if (first.type !== 'reset') throw new Error('expected reset');
    expect(first.entries.map((e) => [e.key, e.value.n])).toEqual([
      [`${p}a`, 2],
      [`${p}b`, 3],
    ]);
    await store.put(`${p}c`, { n: 4 });
    const next = (await iter.next()).value as WatchEvent<{ n: number }>;
    expect(next).toMatchObject({ type: 'put', key: `${p}c` });
    await iter.return?.(undefined);
  });

  it('keeps serving reads, writes and watches when one of three members dies', async () => {
    etcd = await EtcdCluster.start({ members: 3 });
    store = new Store({ endpoints: etcd.endpoints, callTimeoutMs: 3000 });
    const p = uniquePrefix();
    const start = await store.put(`${p}before`, { n: 0 });
    const events = collect(store.watch(p, { afterRevision: start }), 20);
    await etcd.stopMember(0);
    for (let n = 0; n < 20; n++) await retry(() => store!.put(`${p}k${String(n).padStart(2, '0')}`, { n }));
    const { entries } = await retry(() => store!.list(p));
    expect(entries).toHaveLength(21);
    expect((await events).map((e) => e.key)).toEqual(
      entries.filter((e) => !e.key.endsWith('before')).map((e) => e.key),
    );
    await etcd.startMember(0);
    const direct = new Store({ endpoints: [etcd.endpoint(0)] });
    expect((await retry(() => direct.list(p))).entries).toHaveLength(21);
    await direct.close();
  });
});
