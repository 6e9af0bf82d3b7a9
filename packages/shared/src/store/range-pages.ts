import type { Etcd3, IKeyValue } from 'etcd3';
import { prefixEnd } from './entry.js';
import { guarded } from './rpc-errors.js';

/**
 * Keys per range call. gRPC refuses a message over 4 MiB, and a VM record may
 * carry 16 KiB of user-data, so one call must never return the whole prefix:
 * 200 records of 16 KiB stay under 4 MiB.
 */
export const DEFAULT_PAGE_SIZE = 200;

/**
 * Every key under a prefix, read in pages that all see the same revision (the
 * first page's), so the result is one consistent snapshot however large it is.
 */
export async function rangeAll(
  client: Etcd3,
  prefix: string,
  pageSize = DEFAULT_PAGE_SIZE,
): Promise<{ kvs: IKeyValue[]; revision: number }> {
  const end = prefixEnd(prefix);
  const kvs: IKeyValue[] = [];
  let from = Buffer.from(prefix);
  let revision: string | undefined;
  for (;;) {
    const res = await guarded('list', () =>
      client.kv.range({ key: from, range_end: end, limit: pageSize, ...(revision ? { revision } : {}) }),
    );
    revision ??= res.header.revision;
    kvs.push(...res.kvs);
    const last = res.kvs[res.kvs.length - 1];
    if (!res.more || !last) return { kvs, revision: Number(revision) };
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
}
