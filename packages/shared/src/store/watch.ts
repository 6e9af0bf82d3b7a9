import type { Etcd3, IWatchResponse, Watcher } from 'etcd3';
import { NuboError } from '../errors.js';
import { AsyncQueue } from './async-queue.js';
import { decode, type Entry } from './entry.js';

/** One change under a watched prefix. */
export type WatchChange<T> =
  | { type: 'put'; key: string; entry: Entry<T>; revision: number }
  | { type: 'delete'; key: string; revision: number };

/**
 * What `listAndWatch` yields: changes, and `reset`, the whole prefix as of
 * `revision` (drop what you knew). `invalid`: keys whose records were left
 * out of the reset because they are not valid (only from a `follow` given
 * `onInvalid`, which was told of each).
 */
export type WatchEvent<T> =
  | WatchChange<T>
  | { type: 'reset'; entries: Entry<T>[]; revision: number; invalid?: string[] };

/** The watched revision is older than etcd's compaction point. */
export class CompactedError extends NuboError {
  override name = 'CompactedError';
  constructor(readonly compactRevision: number) {
    super('NUBO_WATCH_COMPACTED', `the watched revision was compacted (now ${compactRevision})`);
  }
}

export interface WatchOptions {
  /** Deliver every change after this revision (exclusive). Default: changes from now on. */
  afterRevision?: number;
  /** Called with each value to parse and check it: undefined leaves the change out; a throw ends the watch. */
  parse?: (kv: Parameters<typeof decode>[0]) => Entry<unknown> | undefined;
}

/**
 * Changes under a prefix as an async iterator. The etcd3 client reconnects a
 * broken stream by itself, starting from the revision after the last one it
 * saw; we also drop anything at or below the last revision delivered, so an
 * event is never repeated. A compacted start revision ends the iteration with
 * CompactedError (see `listAndWatch` for the recovery).
 */
export function watchPrefix<T>(
  client: Etcd3,
  prefix: string,
  options: WatchOptions = {},
): AsyncIterableIterator<WatchChange<T>> {
  let watcher: Watcher | undefined;
  const queue = new AsyncQueue<WatchChange<T>>(() => {
    void watcher?.cancel().catch(() => {});
  });
  let last = options.afterRevision ?? 0;
  const parse = options.parse ?? ((kv) => decode(kv));

  const builder = client.watch().prefix(prefix);
  if (options.afterRevision !== undefined) builder.startRevision(String(options.afterRevision + 1));
  // `watcher()` attaches at once, so listeners are in place before the first
  // response; `create()` would resolve a tick late and could drop events.
  watcher = builder.watcher();
  // The client moves its resume point to the header revision of every
  // response, including the `created` one, whose header is etcd's current
  // revision, not how far the history was delivered. A stream that breaks
  // before the history arrives would then skip events; so we set the resume
  // point ourselves, to just after the last revision we delivered, whenever
  // the stream drops (the client reads it when it re-attaches).
  const w = watcher;
  w.on('connected', (res: IWatchResponse) => {
    // A watch "from now" starts after the revision etcd created it at.
    if (last === 0) last = Number(res.header.revision);
  });
  w.on('disconnected', () => {
    (w as unknown as { request: { start_revision?: string } }).request.start_revision = String(last + 1);
  });
  watcher.on('data', (res: IWatchResponse) => {
    // All events of one revision (one transaction) arrive in one response,
    // so `last` moves once per response and never splits a transaction.
    let newest = last;
    for (const ev of res.events) {
      const revision = Number(ev.kv.mod_revision);
      if (revision <= last) continue;
      const key = ev.kv.key.toString();
      try {
        if (ev.type === 'Delete') queue.push({ type: 'delete', key, revision });
        else {
          const entry = parse(ev.kv) as Entry<T> | undefined;
          if (entry) queue.push({ type: 'put', key, entry, revision });
        }
      } catch (err) {
        // The iteration ends here; without this the watcher would stay open,
        // decoding every later change under the prefix for nobody.
        void watcher?.cancel().catch(() => {});
        queue.fail(err);
        return;
      }
      newest = Math.max(newest, revision);
    }
    last = newest;
  });
  // etcd cancels a watch whose start revision was compacted; the client
  // reports only "Watcher canceled", so ask etcd whether that is the reason.
  watcher.on('error', (err: Error) => {
    void explainCancel(client, prefix, last + 1, err).then((e) => queue.fail(e));
  });
  return queue;
}

async function explainCancel(client: Etcd3, prefix: string, revision: number, err: Error): Promise<Error> {
  try {
    await client.kv.range({ key: Buffer.from(prefix), revision, limit: 1 });
    return err;
  } catch (probe) {
    return /compacted/i.test(String(probe)) ? new CompactedError(revision) : err;
  }
}
