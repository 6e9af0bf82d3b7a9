import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  isNuboError,
  keyLayout,
  Resources,
  Store,
  Type,
  type WatchChange,
} from '../src/index.js';

const db = useEtcdStore();

const Counter = Type.Object({ n: Type.Integer() }, { additionalProperties: false });

describe('Store on a real etcd', () => {
  it('puts, gets, lists and deletes readable JSON', async () => {
    const p = uniquePrefix();
    await db.store.put(`${p}a`, { cpus: 1, ramMiB: 512, diskGiB: 10 });
    await db.store.put(`${p}b`, { cpus: 2, ramMiB: 1024, diskGiB: 20 });
    const a = await db.store.get(`${p}a`, Resources);
    expect(a?.value).toEqual({ cpus: 1, ramMiB: 512, diskGiB: 10 });
    expect(a?.modRevision).toBeGreaterThan(0);
    const { entries } = await db.store.list(p, Resources);
    expect(entries.map((e) => e.key)).toEqual([`${p}a`, `${p}b`]);
    expect(await db.store.delete(`${p}a`)).toBe(true);
    expect(await db.store.get(`${p}a`)).toBeUndefined();
    expect(await db.store.deletePrefix(p)).toBe(1);
  });

  it('reports a value that does not fit its schema as NUBO_STORE_CORRUPT', async () => {
    const p = uniquePrefix();
    await db.store.put(`${p}bad`, { cpus: 'many' });
    await expect(db.store.get(`${p}bad`, Resources)).rejects.toMatchObject({ code: 'NUBO_STORE_CORRUPT' });
    await db.store.deletePrefix(p);
  });

  it('lets exactly one of two concurrent writers win a compare on mod_revision', async () => {
    const key = `${uniquePrefix()}counter`;
    await db.store.put(key, { n: 0 });
    const seen = await db.store.require(key, Counter);
    const write = (n: number) => db.store.txn().compare(key, seen.modRevision).put(key, { n }).commit();
    const results = await Promise.allSettled([write(1), write(2)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const reason = (lost[0] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(ConflictError);
    expect(reason.keys).toEqual([key]);
    expect(reason.code).toBe('NUBO_CONFLICT');
    await db.store.delete(key);
  });

  it('applies a multi-key transaction all or nothing', async () => {
    const p = uniquePrefix();
    await db.store.put(`${p}taken`, { n: 1 });
    const txn = db.store.txn().create(`${p}new`, { n: 2 }).create(`${p}taken`, { n: 3 });
    await expect(txn.commit()).rejects.toMatchObject({ keys: [`${p}taken`] });
    expect(await db.store.get(`${p}new`)).toBeUndefined();
    expect((await db.store.get(`${p}taken`, Counter))?.value.n).toBe(1);
    await db.store.deletePrefix(p);
  });

  it('counts every increment under contention with update()', async () => {
    const key = `${uniquePrefix()}counter`;
    await db.store.put(key, { n: 0 });
    await Promise.all(
      Array.from({ length: 20 }, () => db.store.update(key, Counter, (c) => ({ n: c.n + 1 }), 50)),
    );
    expect((await db.store.require(key, Counter)).value.n).toBe(20);
    await db.store.delete(key);
  });

  it('deletes leased keys when the lease is revoked', async () => {
    const key = `${uniquePrefix()}alive`;
    const lease = await db.store.lease(5);
    await db.store.put(key, { n: 1 }, lease.id);
    expect(await db.store.get(key)).toBeDefined();
    await lease.revoke();
    expect(await db.store.get(key)).toBeUndefined();
  });

  it('watches a prefix from a revision, including every key of a transaction', async () => {
    const p = uniquePrefix();
    const start = await db.store.put(`${p}x`, { n: 0 });
    await db.store.txn().put(`${p}a`, { n: 1 }).put(`${p}b`, { n: 2 }).commit();
    await db.store.delete(`${p}x`);
    const events: WatchChange<unknown>[] = [];
    for await (const ev of db.store.watch(p, { afterRevision: start })) {
      events.push(ev);
      if (events.length === 3) break;
    }
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual([`put ${p}a`, `put ${p}b`, `delete ${p}x`]);
    await db.store.deletePrefix(p);
  });

  it('uses one layout for every key, under a configurable prefix', () => {
    const keys = keyLayout('/region-a');
    expect(keys.vms.one('v1')).toBe('/region-a/vms/v1');
    expect(keys.requests.host.one('h1', 'r1')).toBe('/region-a/requests/hosts/h1/r1');
    expect(keyLayout().hosts.one('h1')).toBe('/nubo/hosts/h1');
  });

  it('reports an unreachable etcd as NUBO_STORE_UNAVAILABLE', async () => {
    const dead = new Store({ endpoints: ['http://127.0.0.1:1'], callTimeoutMs: 300 });
    try {
      await dead.get('/x');
      expect.unreachable();
    } catch (err) {
      expect(isNuboError(err, 'NUBO_STORE_UNAVAILABLE')).toBe(true);
    } finally {
      await dead.close();
    }
  });
});
