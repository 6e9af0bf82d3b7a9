// After a compaction, follow lists the prefix again. When etcd was away at
// that moment the follow used to end for good, and a host daemon following
// its requests stopped reacting while it kept running.
import { describe, expect, it } from 'vitest';
import { NuboError } from '../src/errors.js';
import { follow } from '../src/store/follow.js';
import type { Store } from '../src/store/store.js';
import { CompactedError, type WatchEvent } from '../src/store/watch.js';

/** A store whose list answers from `lists` in turn (a thrown error, or the entries' revision). */
function storeWith(lists: (number | Error)[], stop: AbortController): Store {
  let calls = 0;
  return {
    list: async () => {
      const next = lists[calls++];
      if (next === undefined) {
        stop.abort();
        return { entries: [], revision: 0 };
      }
      if (next instanceof Error) throw next;
      return { entries: [], revision: next };
    },
    // Every watch ends at once as compacted, so the follow lists again.
    watch: () => ({
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => Promise.reject(new CompactedError(1)),
      return: () => Promise.resolve({ done: true, value: undefined }),
    }),
  } as unknown as Store;
}

describe('follow after a compaction', () => {
  it('lists again while etcd is away, then goes on with a new reset', async () => {
    const stop = new AbortController();
    const away = new NuboError('NUBO_STORE_UNAVAILABLE', 'etcd cannot be reached');
    const store = storeWith([10, away, away, 20], stop);
    const resets: number[] = [];
    await follow(store, '/p/', { signal: stop.signal }, (e: WatchEvent<unknown>) => {
      if (e.type === 'reset') resets.push(e.revision);
    });
    expect(resets).toEqual([10, 20]);
  });

  it('still fails when the first list fails, and on an error that is not etcd being away', async () => {
    const stop = new AbortController();
    const away = new NuboError('NUBO_STORE_UNAVAILABLE', 'etcd cannot be reached');
    await expect(follow(storeWith([away], stop), '/p/', {}, () => {})).rejects.toBe(away);
    const bug = new TypeError('a bug');
    await expect(follow(storeWith([10, bug], stop), '/p/', {}, () => {})).rejects.toBe(bug);
  });
});
