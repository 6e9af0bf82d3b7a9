import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff, ConflictError, type LeaseHandle, type Logger, type Store } from '@nubo/shared';
import type { Fence } from './context.js';

export type LeadFn = (fence: Fence, signal: AbortSignal) => Promise<void>;

/**
 * Leader election with a leased key: whoever creates `elections/<name>` (a
 * transaction that fails if it exists) leads for as long as its lease lives.
 * Standbys watch the key and try again when it is deleted, which happens when
 * the leader steps down (revokes) or dies (the lease expires after its TTL).
 * The key's revision is the fence every leader transaction compares.
 */
export class Leadership {
  private readonly stopping = new AbortController();
  private term: AbortController | undefined;
  private lease: LeaseHandle | undefined;
  leading = false;

  constructor(
    private readonly store: Store,
    private readonly key: string,
    private readonly id: string,
    private readonly ttlSeconds: number,
    private readonly log: Logger,
  ) {}

  /** Campaigns and leads, again and again, until `stop()`. */
  async run(lead: LeadFn): Promise<void> {
    const backoff = new Backoff(500, 10_000);
    while (!this.stopping.signal.aborted) {
      try {
        const fence = await this.campaign();
        if (fence) await this.serve(fence, lead);
        backoff.reset();
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        // 0.5 s, doubling to 10 s while terms keep failing: a fault that outlives
        // a term (etcd away, a bug met on some record) is not hammered.
        const retryInMs = backoff.next();
        this.log.error({ err, retryInMs }, 'leadership term ended with an error; campaigning again');
        await this.stepDown();
        await sleep(retryInMs, undefined, { signal: this.stopping.signal }).catch(() => {});
      }
    }
  }

  /** Stops leading (handing over at once: the key is deleted) and campaigning. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.term?.abort();
    await this.stepDown();
  }

  /** Waits until this copy holds the key; undefined if stopped first. */
  private async campaign(): Promise<Fence | undefined> {
    this.lease = await this.store.lease(this.ttlSeconds);
    const lease = this.lease;
    const value = { id: this.id, pid: process.pid, since: new Date().toISOString() };
    while (!this.stopping.signal.aborted) {
      try {
        const modRevision = await this.store.txn().create(this.key, value, lease.id).commit();
        return { key: this.key, modRevision };
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
      await this.untilVacant();
    }
    return undefined;
  }

  private async untilVacant(): Promise<void> {
    const current = await this.store.get(this.key);
    if (!current) return;
    const watch = this.store.watch(this.key, { afterRevision: current.modRevision });
    const stop = () => void watch.return?.();
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const ev of watch) if (ev.type === 'delete' && ev.key === this.key) return;
    } finally {
      this.stopping.signal.removeEventListener('abort', stop);
      void watch.return?.();
    }
  }

  private async serve(fence: Fence, lead: LeadFn): Promise<void> {
    const term = new AbortController();
    this.term = term;
    this.lease?.onLost(() => term.abort());
    this.leading = true;
    this.log.info({ id: this.id, revision: fence.modRevision }, 'leading');
    try {
      await lead(fence, term.signal);
    } finally {
      // A term that ended with an error must also stop what it started (its
      // watches, its view): revoking the lease below does not signal `term`.
      term.abort();
      this.leading = false;
      this.log.info({ id: this.id }, 'no longer leading');
      await this.stepDown();
    }
  }

  private async stepDown(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    await lease?.revoke().catch(() => {});
  }
}
