import {
  Backoff,
  CompactedError,
  type Entry,
  type OnInvalid,
  type Store,
  type WatchEvent,
} from '@nubo/shared';

/** An entry for a key whose value could not be read (see `follow`). */
const NO_RECORD: Omit<Entry<unknown>, 'key'> = {
  value: undefined,
  modRevision: 0,
  createRevision: 0,
  version: 0,
  lease: '0',
};

/**
 * Lists a prefix, then follows its changes, calling `onEvent` with a `reset`
 * (the whole prefix) first and after any compaction. Unlike
 * `store.listAndWatch`, `stop()` ends it at once even while it waits. After
 * a failure it lists again, 1 s later, doubling to 30 s while it keeps failing.
 */
export function follow(
  store: Store,
  prefix: string,
  onEvent: (event: WatchEvent<unknown>) => void,
  onError: (err: unknown) => void,
  onInvalid: OnInvalid = () => {},
): { stop: () => void; done: Promise<void> } {
  let stopped = false;
  let current: AsyncIterableIterator<WatchEvent<unknown>> | undefined;
  let wake: (() => void) | undefined;
  /** The wait before listing again; `stop()` cuts it short. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = async (): Promise<void> => {
    const backoff = new Backoff(1_000, 30_000);
    while (!stopped) {
      try {
        // A value that is not JSON is reset as `undefined`: RegionView then
        // keeps that key's last good record, as for any record that does not fit.
        const unreadable: string[] = [];
        const { entries, revision } = await store.list(prefix, undefined, (key, err, rev) => {
          onInvalid(key, err, rev);
          unreadable.push(key);
        });
        if (stopped) return;
        const kept = unreadable.map((key) => ({ ...NO_RECORD, key }));
        onEvent({ type: 'reset', entries: [...entries, ...kept], revision });
        backoff.reset();
        // In the watch such a value is left out: the key keeps its last good record.
        current = store.watch(prefix, { afterRevision: revision, onInvalid });
        for await (const ev of current) onEvent(ev);
      } catch (err) {
        if (stopped) return;
        if (!(err instanceof CompactedError)) onError(err);
        await pause(err instanceof CompactedError ? 0 : backoff.next());
      }
    }
  };
  const done = loop();
  return {
    stop: () => {
      stopped = true;
      wake?.();
      void current?.return?.();
    },
    done,
  };
}
