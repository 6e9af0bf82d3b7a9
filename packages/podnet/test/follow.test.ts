// A value that was not JSON under a prefix PodNet follows failed every list:
// the daemon listed again each second, forever, and never reconciled a router.
import type { WatchEvent } from '@nubo/shared';
import { uniquePrefix, waitUntil } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { expect, it } from 'vitest';
import { follow } from '../src/daemon/follow.js';

const db = useEtcdStore();

it('resets a value that is not JSON as undefined, and follows the changes after it', async () => {
  const { store } = db;
  const prefix = uniquePrefix('podnet-follow');
  await store.put(`${prefix}a`, { n: 1 });
  await store.client.put(`${prefix}b`).value('{"n": 2');
  const events: WatchEvent<unknown>[] = [];
  const errors: unknown[] = [];
  const invalid: string[] = [];
  const f = follow(
    store,
    prefix,
    (e) => events.push(e),
    (err) => errors.push(err),
    (key) => invalid.push(key.slice(prefix.length)),
  );
  await waitUntil(() => events.length === 1);
  const reset = events[0]!;
  expect(reset.type === 'reset' && reset.entries.map((e) => [e.key.slice(prefix.length), e.value])).toEqual([
    ['a', { n: 1 }],
    ['b', undefined],
  ]);
  await store.client.put(`${prefix}c`).value('also not json');
  await store.put(`${prefix}d`, { n: 4 });
  await waitUntil(() => events.length === 2);
  f.stop();
  await f.done;
  expect(events[1]).toMatchObject({ type: 'put', key: `${prefix}d`, entry: { value: { n: 4 } } });
  expect(invalid).toEqual(['b', 'c']);
  expect(errors).toEqual([]);
  await store.deletePrefix(prefix);
});
