import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { expect, it } from 'vitest';

// listAndWatch used to be an async generator: return() called while a next()
// waited for a change queued behind that next(), so closing a service whose
// watch was idle hung until some key changed (which, on a quiet etcd, is never).

const db = useEtcdStore();

it('stops an idle listAndWatch at once, ending the pending next()', async () => {
  const p = uniquePrefix();
  await db.store.put(`${p}a`, { n: 1 });
  const iter = db.store.listAndWatch(p);
  expect((await iter.next()).value).toMatchObject({ type: 'reset' });
  const pending = iter.next();
  const stopped = await Promise.race([
    iter.return?.(undefined).then(() => 'stopped'),
    new Promise((resolve) => setTimeout(() => resolve('hung'), 2000)),
  ]);
  expect(stopped).toBe('stopped');
  expect(await pending).toEqual({ value: undefined, done: true });
  await db.store.deletePrefix(p);
});
