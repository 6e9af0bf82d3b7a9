import { useEtcdStore } from '@nubo/test/vitest';
import { expect, it } from 'vitest';

// A short call timeout, so a stream that inherited it would end within the test.
const db = useEtcdStore({ store: { callTimeoutMs: 300 } });

// Regression: the call deadline was applied to streams too, so every watch
// stream ended after callTimeoutMs and the client re-attached all watchers.
it('keeps a watch stream open longer than the call timeout, and delivers on it', async () => {
  const watcher = await db.store.client.watch().prefix('/streams/').create();
  let disconnects = 0;
  watcher.on('disconnected', () => disconnects++);
  const seen: string[] = [];
  watcher.on('put', (kv) => seen.push(kv.key.toString()));
  await new Promise((r) => setTimeout(r, 1500));
  await db.store.put('/streams/a', 1);
  await new Promise((r) => setTimeout(r, 200));
  expect(disconnects).toBe(0);
  expect(seen).toEqual(['/streams/a']);
  await watcher.cancel();
  await db.store.deletePrefix('/streams/');
});
