import {
  Backoff,
  CompactedError,
  isNuboError,
  isValid,
  type Keys,
  type Logger,
  type Store,
  type WatchEvent,
} from '@nubo/shared';
import { applyDerived } from './apply.js';
import { isEmpty } from './derived.js';
import { Cursor } from './outbox.js';
import { snapshotAt } from './snapshot.js';
import type { Source } from './sources.js';

export interface FollowerDeps {
  store: Store;
  keys: Keys;
  logger: Logger;
  now?: () => Date;
}

/**
 * Follows one prefix (say `vms/`) and derives events, BOM movements and
 * notifications from each change, knowing each record before and after it.
 * Resumes from its cursor in etcd: it re-reads the prefix as it was just
 * before the cursor's revision and watches from there, so nothing is missed;
 * what is seen twice writes nothing twice (keys named after the revision).
 */
export class Follower {
  /** The newest revision of this prefix handled so far. */
  seen = 0;
  private iterator: AsyncIterableIterator<WatchEvent<unknown>> | undefined;
  private stopped = false;
  private busy = false;
  private waiters: { revision: number; resolve: () => void }[] = [];
  private readonly now: () => Date;

  constructor(
    private readonly deps: FollowerDeps,
    readonly source: Source,
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  async run(): Promise<void> {
    let { records, after } = await this.resume();
    while (!this.stopped) {
      this.iterator = this.deps.store.watch(this.source.prefix, {
        afterRevision: after,
        // Not JSON: skipped like a record that does not fit its schema (below), not the end of the follower.
        onInvalid: (key, err) => this.deps.logger.warn({ key, err }, 'record is not JSON; not derived'),
      });
      try {
        for await (const ev of this.iterator) {
          this.busy = true;
          await this.handle(ev, records);
          this.busy = false;
          this.wakeWhenIdle();
        }
        return;
      } catch (err) {
        if (!(err instanceof CompactedError)) throw err;
        // The history we needed is gone: continue from now, and say so.
        this.deps.logger.warn(
          { source: this.source.name, after },
          'history compacted: changes in the gap are not derived',
        );
        ({ records, revision: after } = await snapshotAt(this.deps.store, this.source, 0));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    void this.iterator?.return?.();
  }

  /** Resolves once this follower has handled every change up to `revision` of its prefix (and is idle). */
  waitFor(revision: number): Promise<void> {
    if (this.seen >= revision) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ revision, resolve }));
  }

  private async resume(): Promise<{ records: Map<string, unknown>; after: number }> {
    const cursor = await this.deps.store.get(this.deps.keys.lifecycle.cursor(this.source.name), Cursor);
    // etcd's first write is revision 2: "after 1" replays the whole history
    // (a watch "after 0" would mean "from now" to the store).
    const after = Math.max(1, (cursor?.value.revision ?? 2) - 1);
    if (after <= 1) return { records: new Map(), after: 1 };
    try {
      return { records: (await snapshotAt(this.deps.store, this.source, after)).records, after };
    } catch (err) {
      if (!/compacted/i.test(String(err))) throw err;
      this.deps.logger.warn({ source: this.source.name, after }, 'cursor compacted: continuing from now');
      const snap = await snapshotAt(this.deps.store, this.source, 0);
      return { records: snap.records, after: snap.revision };
    }
  }

  /**
   * Waiters wake once nothing more is queued: the other keys of a revision
   * (one transaction) arrive together and are handled before the next
   * macrotask, so a waiter never sees half a transaction.
   */
  private wakeWhenIdle(): void {
    setImmediate(() => {
      if (this.busy) return;
      const ready = this.waiters.filter((w) => w.revision <= this.seen);
      this.waiters = this.waiters.filter((w) => w.revision > this.seen);
      for (const w of ready) w.resolve();
    });
  }

  private async handle(ev: WatchEvent<unknown>, records: Map<string, unknown>): Promise<void> {
    if (ev.type === 'reset') return;
    const before = records.get(ev.key);
    let after: unknown;
    if (ev.type === 'put') {
      if (!isValid(this.source.schema, ev.entry.value)) {
        this.deps.logger.warn({ key: ev.key }, 'record does not match its schema; not derived');
        return this.advance(ev.revision);
      }
      after = ev.entry.value;
      records.set(ev.key, after);
    } else {
      records.delete(ev.key);
    }
    const derived = this.source.derive(before, after, this.now());
    if (derived && !isEmpty(derived)) await this.write(derived, ev.revision);
    this.advance(ev.revision);
  }

  /** Retries while etcd is away: the change must be derived before the next one. */
  private async write(derived: NonNullable<ReturnType<Source['derive']>>, revision: number): Promise<void> {
    const backoff = new Backoff(100, 5_000);
    for (;;) {
      try {
        await applyDerived(this.deps.store, this.deps.keys, this.source.name, derived, revision, this.now());
        return;
      } catch (err) {
        if (this.stopped || !isNuboError(err, 'NUBO_STORE_UNAVAILABLE')) throw err;
        await new Promise((r) => setTimeout(r, backoff.next()));
      }
    }
  }

  private advance(revision: number): void {
    this.seen = Math.max(this.seen, revision);
  }
}
