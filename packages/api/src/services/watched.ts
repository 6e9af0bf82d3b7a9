import type { Logger, Static, Store, TSchema, WatchEvent } from '@nubo/shared';

/** A cached record with the mod_revision it had, so a transaction can compare it. */
export interface Cached<T> {
  value: T;
  modRevision: number;
}

/**
 * An in-memory copy of one prefix, kept current by a watch (a few
 * milliseconds behind etcd). The API reads tokens, users, projects and a
 * create's references from it instead of asking etcd each time. Callers trust
 * only a positive answer for access checks, and compare the cached
 * mod_revision in any transaction that depends on it, so a stale copy makes
 * the transaction fail and retry from etcd rather than write something wrong.
 *
 * `stop()` ends at once whatever the follow loop is doing (listing, watching
 * or waiting to retry): a close that waited on a watch would hang until the
 * next change under the prefix arrived.
 */
export class WatchedRecords<S extends TSchema> {
  private readonly records = new Map<string, Cached<Static<S>>>();
  private ready = false;
  private iterator: AsyncIterableIterator<WatchEvent<Static<S>>> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly schema: S | undefined,
    private readonly logger: Logger,
  ) {}

  start(): this {
    void this.follow();
    return this;
  }

  /** True once the first listing arrived (and while the watch runs). */
  get isReady(): boolean {
    return this.ready;
  }

  /** The cached value, or undefined when unknown (not cached yet, or absent). */
  get(key: string): Static<S> | undefined {
    return this.ready ? this.records.get(key)?.value : undefined;
  }

  /** The cached value with its revision; undefined when not cached (absent, or not listed yet). */
  entry(key: string): Cached<Static<S>> | undefined {
    return this.ready ? this.records.get(key) : undefined;
  }

  /** Records a write this process just committed, unless the watch already brought something newer. */
  remember(key: string, value: Static<S>, modRevision: number): void {
    const known = this.records.get(key);
    if (!known || known.modRevision < modRevision) this.records.set(key, { value, modRevision });
  }

  /** Drops a key (after a transaction found it stale). */
  forget(key: string): void {
    this.records.delete(key);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.iterator?.return?.(undefined);
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        // list, then watch from that revision (what listAndWatch does; done here
        // because a watch's iterator can be ended at once, a generator's cannot:
        // its return() waits for the next event)
        const { entries, revision } = await this.store.list(this.prefix, this.schema, this.onInvalid);
        if (this.stopped) return;
        this.apply({ type: 'reset', entries, revision });
        const iterator = this.store.watch(this.prefix, {
          afterRevision: revision,
          ...(this.schema ? { schema: this.schema } : {}),
          onInvalid: this.onInvalid,
        });
        this.iterator = iterator;
        if (this.stopped) await iterator.return?.(undefined);
        for await (const ev of iterator) this.apply(ev);
      } catch (err) {
        this.ready = false;
        if (!this.stopped)
          this.logger.warn({ prefix: this.prefix, err: String(err) }, 'cache watch broke; retrying');
      }
      if (!this.stopped) await this.pause(1000);
    }
  }

  /**
   * A record that does not parse or fit is not cached (its callers then read
   * etcd, and get NUBO_STORE_CORRUPT for that one), rather than keeping the
   * whole prefix out of the cache.
   */
  private readonly onInvalid = (key: string, err: unknown): void => {
    this.records.delete(key);
    this.logger.warn({ key, err }, 'invalid record; not cached');
  };

  /** Waits before a retry; `stop()` cuts it short and leaves no timer behind. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private apply(ev: WatchEvent<Static<S>>): void {
    if (ev.type === 'reset') {
      this.records.clear();
      for (const e of ev.entries) this.records.set(e.key, { value: e.value, modRevision: e.modRevision });
      this.ready = true;
    } else if (ev.type === 'put') {
      this.remember(ev.key, ev.entry.value, ev.entry.modRevision);
    } else {
      const known = this.records.get(ev.key);
      if (!known || known.modRevision < ev.revision) this.records.delete(ev.key);
    }
  }
}
