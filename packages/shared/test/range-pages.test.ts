import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { describe, expect, it } from 'vitest';
import { rangeAll } from '../src/store/range-pages.js';

const db = useEtcdStore();

describe('listing a prefix larger than one gRPC message', () => {
  it('reads 6 MiB of records in pages, all at one revision', async () => {
    const p = uniquePrefix();
    const blob = 'x'.repeat(16 * 1024);
    // etcd takes at most 1.5 MiB per request, so write in chunks of 50 records.
    let written = 0;
    for (let chunk = 0; chunk < 8; chunk++) {
      const txn = db.store.txn();
      for (let i = chunk * 50; i < (chunk + 1) * 50; i++)
        txn.put(`${p}${String(i).padStart(4, '0')}`, { i, blob });
      written = await txn.commit();
    }
    await db.store.put(`${p}later`, { i: -1 });
    const { entries, revision } = await db.store.list(p);
    expect(entries).toHaveLength(401);
    const paged = await rangeAll(db.store.client, p, 7);
    expect(paged.kvs).toHaveLength(401);
    expect(paged.kvs.map((kv) => kv.key.toString())).toEqual(entries.map((e) => e.key));
    expect(revision).toBeGreaterThan(written);
    await db.store.deletePrefix(p);
  });
});
