import { CompactedError, type Store, type WatchEvent } from '@nubo/shared';

/**
 * Lists a prefix, then follows its changes, calling `onEvent` with a `reset`
 * (the whole prefix) first and after any compaction. Unlike
 * `store.listAndWatch`, `stop()` ends it at once even while it waits.
 */
export function follow(
  store: Store,
  prefix: string,
  onEvent: (event: WatchEvent<unknown>) => void,
  onError: (err: unknown) => void,
): { stop: () => void; done: Promise<void> } {
  let stopped = false;
  let current: AsyncIterableIterator<WatchEvent<unknown>> | undefined;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        const { entries, revision } = await store.list(prefix);
        if (stopped) return;
        onEvent({ type: 'reset', entries, revision });
        current = store.watch(prefix, { afterRevision: revision });
        for await (const ev of current) onEvent(ev);
      } catch (err) {
        if (stopped) return;
        if (!(err instanceof CompactedError)) onError(err);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  };
  const done = loop();
  return {
    stop: () => {
      stopped = true;
      void current?.return?.();
    },
    done,
  };
}
