import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, Store } from '../src/index.js';

let prefix: string;
const db = useEtcdStore();

afterEach(async () => {
  await db.store.deletePrefix(prefix);
});

/** Settles every commit; the outcome of each, in order. */
function settleAll(commits: Promise<number>[]) {
  return Promise.allSettled(commits);
}

describe('grouped transactions (GroupCommit) on a real etcd', () => {
  it('sends transactions that wait together as one, and each applies', async () => {
    prefix = uniquePrefix('group');
    const commits = Array.from({ length: 20 }, (_, i) =>
      db.store
        .txn({ grouped: true })
        .create(`${prefix}vm/${i}`, { i })
        .put(`${prefix}usage/${i}`, { n: i })
        .commit(),
    );
    const revisions = await Promise.all(commits);
    // Issued in one turn of the event loop: all 20 leave together, in one transaction.
    expect(new Set(revisions).size).toBe(1);
    for (let i = 0; i < 20; i++) {
      const vm = await db.store.get(`${prefix}vm/${i}`);
      expect(vm?.value).toEqual({ i });
      expect(vm?.modRevision).toBe(revisions[i]);
    }
  });

  it('sends what arrives while a batch is on its way together, once that batch is back', async () => {
    prefix = uniquePrefix('group');
    const first = db.store.txn({ grouped: true }).put(`${prefix}first`, 1).commit();
    await new Promise(setImmediate); // the first batch has left
    const later = [0, 1, 2, 3, 4].map((i) =>
      db.store.txn({ grouped: true }).put(`${prefix}later/${i}`, i).commit(),
    );
    const [firstRev, ...laterRevs] = await Promise.all([first, ...later]);
    expect(new Set(laterRevs).size).toBe(1);
    expect(laterRevs[0]).toBeGreaterThan(firstRev!);
  });

  it('refuses only the member whose compare failed; the others in its batch commit', async () => {
    prefix = uniquePrefix('group');
    await db.store.put(`${prefix}taken`, 'x');
    const first = db.store.txn({ grouped: true }).put(`${prefix}first`, 1).commit();
    const batch = [
      db.store.txn({ grouped: true }).put(`${prefix}a`, 1).commit(),
      db.store.txn({ grouped: true }).create(`${prefix}taken`, 'y').put(`${prefix}b`, 1).commit(),
      db.store.txn({ grouped: true }).put(`${prefix}c`, 1).commit(),
    ];
    const [, a, taken, c] = await settleAll([first, ...batch]);
    expect(a?.status).toBe('fulfilled');
    expect(c?.status).toBe('fulfilled');
    expect(taken?.status).toBe('rejected');
    const err = (taken as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).keys).toEqual([`${prefix}taken`]);
    expect(await db.store.get(`${prefix}b`)).toBeUndefined();
    expect((await db.store.get(`${prefix}taken`))?.value).toBe('x');
    expect((await db.store.get(`${prefix}a`))?.value).toBe(1);
    expect((await db.store.get(`${prefix}c`))?.value).toBe(1);
  });

  it('never groups transactions that touch the same key: the later sees the earlier', async () => {
    prefix = uniquePrefix('group');
    const j = await db.store.put(`${prefix}j`, 0);
    const k = await db.store.put(`${prefix}k`, 0);
    const first = db.store.txn({ grouped: true }).put(`${prefix}other`, 1).commit();
    // Write skew if they went together: each compares what the other writes.
    const a = db.store.txn({ grouped: true }).compare(`${prefix}j`, j).put(`${prefix}k`, 'a').commit();
    const b = db.store.txn({ grouped: true }).compare(`${prefix}k`, k).put(`${prefix}j`, 'b').commit();
    const [, ra, rb] = await settleAll([first, a, b]);
    expect(ra?.status).toBe('fulfilled');
    expect(rb?.status).toBe('rejected');
    expect((rb as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect((await db.store.get(`${prefix}j`))?.value).toBe(0);

    // Two writes of one key, no compares: both apply, one after the other.
    const puts = [0, 1, 2].map((n) => db.store.txn({ grouped: true }).put(`${prefix}same`, n).commit());
    const revisions = await Promise.all(puts);
    expect(new Set(revisions).size).toBe(3);
    expect((await db.store.get(`${prefix}same`))?.value).toBe(2);
  });

  it('sends a transaction etcd would refuse alone, so its refusal reaches no one else', async () => {
    prefix = uniquePrefix('group');
    const first = db.store.txn({ grouped: true }).put(`${prefix}first`, 1).commit();
    const twice = db.store.txn({ grouped: true }).put(`${prefix}dup`, 1).put(`${prefix}dup`, 2).commit();
    const fine = db.store.txn({ grouped: true }).put(`${prefix}fine`, 1).commit();
    const [, rTwice, rFine] = await settleAll([first, twice, fine]);
    expect(rTwice?.status).toBe('rejected');
    expect(String((rTwice as PromiseRejectedResult).reason)).toMatch(/duplicate key/);
    expect(rFine?.status).toBe('fulfilled');
    expect((await db.store.get(`${prefix}fine`))?.value).toBe(1);
  });

  it("keeps a batch within etcd's operation limit", async () => {
    prefix = uniquePrefix('group');
    const small = new Store({ endpoints: db.etcd.endpoints, maxTxnOps: 4 });
    try {
      const commits = Array.from({ length: 9 }, (_, i) =>
        small.txn({ grouped: true }).create(`${prefix}${i}/a`, i).put(`${prefix}${i}/b`, i).commit(),
      );
      const revisions = await Promise.all(commits);
      // 1 alone, then 8 waiting in batches of at most 2 (4 ops): at least 5 transactions.
      expect(new Set(revisions).size).toBeGreaterThanOrEqual(5);
      expect(await db.store.count(prefix)).toBe(18);
    } finally {
      await small.close();
    }
  });
});
