import type { Static, TSchema } from '@sinclair/typebox';
import type { Store } from './store.js';
import { CompactedError, type WatchEvent } from './watch.js';

export interface FollowOptions<S extends TSchema> {
  schema?: S;
  /** Aborting ends the follow at once (the watch is cancelled). */
  signal?: AbortSignal;
}

/**
 * Like `store.listAndWatch`, but driven by a callback and stoppable at any
 * time through an AbortSignal: first a `reset` with the whole prefix, then
 * every change; after a compaction, a fresh `reset`. Resolves when aborted;
 * rejects when the watch fails for another reason (etcd gone for good, a
 * record that does not match its schema).
 */
export async function follow<S extends TSchema>(
  store: Store,
  prefix: string,
  options: FollowOptions<S>,
  onEvent: (event: WatchEvent<Static<S>>) => void,
): Promise<void> {
  const { signal, schema } = options;
  while (!signal?.aborted) {
    const { entries, revision } = await store.list(prefix, schema);
    if (signal?.aborted) return;
    onEvent({ type: 'reset', entries, revision });
    const watch = store.watch(prefix, { afterRevision: revision, ...(schema ? { schema } : {}) });
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
