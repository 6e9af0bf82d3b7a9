import type { Static, TSchema } from '@sinclair/typebox';
import type { OnInvalid } from './entry.js';
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
 * rejects when the watch fails for another reason (etcd gone for good, or,
 * without `onInvalid`, a record that does not match its schema).
 */
export async function follow<S extends TSchema>(
  store: Store,
  prefix: string,
  options: FollowOptions<S>,
  onEvent: (event: WatchEvent<Static<S>>) => void,
): Promise<void> {
  const { signal, schema, onInvalid } = options;
  while (!signal?.aborted) {
    const { entries, revision } = await store.list(prefix, schema, onInvalid);
    if (signal?.aborted) return;
    onEvent({ type: 'reset', entries, revision });
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
