import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { expect, it } from 'vitest';
import { listPaged, PAGE_SIZE } from '../src/paged-follow.js';

const prefix = uniquePrefix('paged');
const db = useEtcdStore({ cleanUp: prefix });

it('lists more keys than one page, each once, at one revision, and nothing outside the prefix', async () => {
  const count = PAGE_SIZE * 2 + 7;
  const txn = db.store.txn();
  for (let i = 0; i < count; i++) txn.put(`${prefix}k/${String(i).padStart(5, '0')}`, { i });
  txn.put(`${prefix}l/outside`, { i: -1 });
  const written = await txn.commit();
  const { entries, revision } = await listPaged(db.store, `${prefix}k/`);
  expect(revision).toBe(written);
  expect(entries.map((e) => (e.value as { i: number }).i)).toEqual(
    Array.from({ length: count }, (_, i) => i),
  );
});
