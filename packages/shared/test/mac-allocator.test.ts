import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { describe, expect, it } from 'vitest';
import { ConflictError, keyLayout, MacAllocator, randomMac } from '../src/index.js';

const db = useEtcdStore();

describe('MacAllocator', () => {
  it('hands out distinct MACs to many concurrent callers', async () => {
    const keys = keyLayout(uniquePrefix());
    const allocator = new MacAllocator(db.store, keys);
    const macs = await Promise.all(
      Array.from({ length: 200 }, (_, i) => allocator.allocate({ vmId: `vm-${i}` })),
    );
    expect(new Set(macs).size).toBe(200);
    expect(await db.store.count(keys.macs.prefix)).toBe(200);
    for (const mac of macs) expect(mac).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    await db.store.deletePrefix(keys.prefix);
  });

  it('cannot give the same MAC to two transactions, even when both saw it free', async () => {
    const keys = keyLayout(uniquePrefix());
    const mac = randomMac();
    // Both transactions reserve the same MAC, as two racing creates could.
    const first = db.store
      .txn()
      .create(keys.macs.one(mac), { vmId: 'a' })
      .put(`${keys.prefix}vms/a`, { mac });
    const second = db.store
      .txn()
      .create(keys.macs.one(mac), { vmId: 'b' })
      .put(`${keys.prefix}vms/b`, { mac });
    const results = await Promise.allSettled([first.commit(), second.commit()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    expect(await db.store.count(`${keys.prefix}vms/`)).toBe(1);
    await db.store.deletePrefix(keys.prefix);
  });

  it('uses a configured prefix and refuses a multicast one', () => {
    expect(randomMac('02:aa:bb')).toMatch(/^02:aa:bb:/);
    expect(() => randomMac('01:00:5e')).toThrow(/multicast/);
  });
});
