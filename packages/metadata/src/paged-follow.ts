import { CompactedError, type Entry, type Store, type WatchEvent } from '@nubo/shared';

/**
 * Keys per page. One range answer must stay under gRPC's 4 MiB: a VM record
 * can be about 17 KB (16 KiB of user-data), so 100 make at most ~1.7 MB.
 */
export const PAGE_SIZE = 100;

/**
 * Like shared's `follow`, but lists the prefix in pages, all read at the same
 * revision, so a prefix larger than one gRPC message (4 MiB) still loads:
 * a `reset` with every entry, then each change; a compaction lists again.
 * Values are handed over unvalidated (the index checks each one).
 */
export async function followPaged(
  store: Store,
  prefix: string,
  signal: AbortSignal,
  onEvent: (event: WatchEvent<unknown>) => void,
): Promise<void> {
  while (!signal.aborted) {
    const { entries, revision } = await listPaged(store, prefix);
    if (signal.aborted) return;
    onEvent({ type: 'reset', entries, revision });
    const watch = store.watch(prefix, { afterRevision: revision });
    const stop = () => void watch.return?.();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const event of watch) onEvent(event);
      return;
    } catch (err) {
      if (!(err instanceof CompactedError)) throw err;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}

export async function listPaged(
  store: Store,
  prefix: string,
): Promise<{ entries: Entry<unknown>[]; revision: number }> {
  const end = prefixEnd(prefix);
  const entries: Entry<unknown>[] = [];
  let from = Buffer.from(prefix);
  let revision: number | undefined;
  for (;;) {
    const res = await store.client.kv.range({
      key: from,
      range_end: end,
      limit: String(PAGE_SIZE),
      ...(revision !== undefined ? { revision: String(revision) } : {}),
    });
    revision ??= Number(res.header.revision);
    for (const kv of res.kvs) entries.push(toEntry(kv));
    const last = res.kvs[res.kvs.length - 1];
    if (!res.more || !last) return { entries, revision };
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
}

type Kv = {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
  create_revision: string;
  version: string;
  lease: string;
};

/** A value that is not JSON becomes `undefined`, which the index reports as invalid. */
function toEntry(kv: Kv): Entry<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(kv.value.toString());
  } catch {
    value = undefined;
  }
  return {
    key: kv.key.toString(),
    value,
    modRevision: Number(kv.mod_revision),
    createRevision: Number(kv.create_revision),
    version: Number(kv.version),
    lease: String(kv.lease ?? '0'),
  };
}

function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
