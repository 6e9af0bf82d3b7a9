import { isValid, type Store } from '@nubo/shared';
import type { Source } from './sources.js';

/** The `range_end` covering every key that starts with `prefix`. */
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

/**
 * The records of a source as they were at `revision` (0 = now), keyed by
 * etcd key: the "before" of the first change the watcher will see. Throws
 * (etcd's "required revision has been compacted") when that history is gone.
 */
export async function snapshotAt(
  store: Store,
  source: Source,
  revision: number,
): Promise<{ records: Map<string, unknown>; revision: number }> {
  const records = new Map<string, unknown>();
  const res = await store.client.kv.range({
    key: Buffer.from(source.prefix),
    range_end: prefixEnd(source.prefix),
    ...(revision > 0 ? { revision } : {}),
  });
  for (const kv of res.kvs) {
    const value = parseJson(kv.value.toString());
    if (isValid(source.schema, value)) records.set(kv.key.toString(), value);
  }
  return { records, revision: revision > 0 ? revision : Number(res.header.revision) };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
