import { setTimeout as sleep } from 'node:timers/promises';
import type { Static, TSchema } from '@sinclair/typebox';
import { Backoff } from '../backoff.js';
import type { OnInvalid } from './entry.js';
import { isStoreFault } from './rpc-errors.js';
import type { Store } from './store.js';
import { CompactedError, type WatchEvent } from './watch.js';

export interface FollowOptions<S extends TSchema> {
  schema?: S;
  /** Aborting ends the follow at once (the watch is cancelled). */
  signal?: AbortSignal;
  /**
   * Records that do not parse or fit `schema` are left out (of a reset, and
   * as changes) and reported here. Without it such a record ends the follow.
   * A consumer that knew the key's earlier value should drop it here: the
   * record as it stands cannot be used.
   */
  onInvalid?: OnInvalid;
}

/**
 * Like `store.listAndWatch`, but driven by a callback and stoppable at any
 * time through an AbortSignal: first a `reset` with the whole prefix, then
 * every change; after a compaction, a fresh `reset`. Resolves when aborted;
 * rejects when the first list fails, or the watch fails for another reason
 * (without `onInvalid`, a record that does not match its schema). A list
 * after a compaction that meets etcd away is tried again (0.25 s doubling to
 * 5 s) until it succeeds or the signal aborts: a daemon's follow must not end
 * for good over a moment without etcd.
 */
export async function follow<S extends TSchema>(
  store: Store,
  prefix: string,
  options: FollowOptions<S>,
  onEvent: (event: WatchEvent<Static<S>>) => void,
): Promise<void> {
  const { signal, schema, onInvalid } = options;
  let listedOnce = false;
  while (!signal?.aborted) {
    const invalid: string[] = [];
    const noteInvalid: OnInvalid | undefined = onInvalid
      ? (key, err, modRevision) => {
          invalid.push(key);
          onInvalid(key, err, modRevision);
        }
      : undefined;
    const listed = await (listedOnce
      ? relist(() => store.list(prefix, schema, noteInvalid), signal)
      : store.list(prefix, schema, noteInvalid));
    if (!listed || signal?.aborted) return;
    listedOnce = true;
    const { entries, revision } = listed;
    onEvent({ type: 'reset', entries, revision, ...(onInvalid ? { invalid } : {}) });
    const watch = store.watch(prefix, {
      afterRevision: revision,
      ...(schema ? { schema } : {}),
      ...(onInvalid ? { onInvalid } : {}),
    });
    const stop = () => void watch.return?.();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const event of watch) onEvent(event);
      return;
    } catch (err) {
      if (!(err instanceof CompactedError)) throw err;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  }
}

/** A re-list, tried again while etcd is away; undefined when aborted first. */
async function relist<T>(list: () => Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  const backoff = new Backoff(250, 5_000);
  for (;;) {
    try {
      return await list();
    } catch (err) {
      if (!isStoreFault(err)) throw err;
    }
    const aborted = await sleep(backoff.next(), false, signal ? { signal } : {}).catch(() => true);
    if (aborted || signal?.aborted) return undefined;
  }
}
