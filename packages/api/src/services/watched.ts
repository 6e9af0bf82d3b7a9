import type { Logger, Static, Store, TSchema, WatchEvent } from '@nubo/shared';

/**
 * An in-memory copy of one prefix, kept current by a watch (a few
 * milliseconds behind etcd). The API reads tokens, users and projects from
 * it on every request instead of asking etcd each time. Callers trust only a
 * positive answer and read through to etcd on a miss, so something created a
 * moment ago is never refused; a revoked token or a removed member stays
 * valid for as long as the watch lags (milliseconds).
 */
export class WatchedRecords<S extends TSchema> {
  private readonly records = new Map<string, Static<S>>();
  private ready = false;
  private iterator: AsyncIterableIterator<WatchEvent<Static<S>>> | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly schema: S,
    private readonly logger: Logger,
  ) {}

  start(): this {
    void this.follow();
    return this;
  }

  /** The cached value, or undefined when unknown (not cached yet, or absent). */
  get(key: string): Static<S> | undefined {
    return this.ready ? this.records.get(key) : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.iterator?.return?.(undefined);
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        // list, then watch from that revision (what listAndWatch does; done here
        // because a watch's iterator can be ended at once, a generator's cannot)
        const { entries, revision } = await this.store.list(this.prefix, this.schema);
        this.apply({ type: 'reset', entries, revision });
        if (this.stopped) return;
        this.iterator = this.store.watch(this.prefix, { afterRevision: revision, schema: this.schema });
        for await (const ev of this.iterator) this.apply(ev);
      } catch (err) {
        this.ready = false;
        if (!this.stopped)
          this.logger.warn({ prefix: this.prefix, err: String(err) }, 'cache watch broke; retrying');
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private apply(ev: WatchEvent<Static<S>>): void {
    if (ev.type === 'reset') {
      this.records.clear();
      for (const e of ev.entries) this.records.set(e.key, e.value);
      this.ready = true;
    } else if (ev.type === 'put') {
      this.records.set(ev.key, ev.entry.value);
    } else {
      this.records.delete(ev.key);
    }
  }
}
