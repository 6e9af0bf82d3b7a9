import { setTimeout as sleep } from 'node:timers/promises';
import {
  Allocation,
  ConflictError,
  follow,
  Host,
  HostLiveness,
  Image,
  isStoreFault,
  keyLayout,
  type Logger,
  precompile,
  QuotaUsage,
  SchedulerRequest,
  type Store,
  Vm,
} from '@nubo/shared';
import { ClusterView } from './cluster-view.js';
import type { SchedulerConfig } from './config.js';
import type { Fence, SchedulerContext } from './context.js';
import { Leadership } from './leadership.js';
import { markHostLost } from './lost-hosts.js';
import { migrate } from './migrate.js';
import { placeAll } from './place-all.js';
import { resize } from './resize.js';
import { type Job, WorkQueue } from './work-queue.js';

export type SchedulerSettings = Omit<SchedulerConfig, 'etcdEndpoints' | 'logLevel'>;

/**
 * One copy of the scheduler. Every copy campaigns; the leader follows
 * `requests/scheduler/` and the hosts, places in batches, handles resizes,
 * migrations and lost hosts. See docs/scheduler.md.
 */
export class Scheduler {
  private readonly leadership: Leadership;
  private running: Promise<void> | undefined;
  /** Called after each batch, for tests and the benchmark. */
  onBatch: (result: { placed: number; unresourced: number; dropped: number }) => void = () => {};

  constructor(
    private readonly store: Store,
    private readonly settings: SchedulerSettings,
    private readonly log: Logger,
  ) {
    // Compiled now, not on the first batch (see `precompile`).
    precompile([SchedulerRequest, Vm, Image, Host, Allocation, HostLiveness, QuotaUsage]);
    const key = keyLayout(settings.prefix).elections.one('scheduler');
    this.leadership = new Leadership(store, key, settings.schedulerId, settings.leaseTtlSeconds, log);
  }

  get isLeader(): boolean {
    return this.leadership.leading;
  }

  /**
   * Leading, with the cluster view loaded and the requests listed: from here
   * a new request is placed as soon as its watch event arrives. Between
   * winning the election and this, requests wait (the view of 1,000 hosts
   * takes a moment to load).
   */
  get isPlacing(): boolean {
    return this.placing;
  }

  private placing = false;

  start(): void {
    this.running ??= this.leadership.run((fence, signal) => this.lead(fence, signal));
  }

  async stop(): Promise<void> {
    await this.leadership.stop();
    await this.running;
  }

  private async lead(fence: Fence, signal: AbortSignal): Promise<void> {
    const keys = keyLayout(this.settings.prefix);
    const work = new WorkQueue();
    const view = new ClusterView(this.store, keys, (host) => work.lost(host), this.log);
    signal.addEventListener('abort', () => work.close(), { once: true });
    const { done } = await view.start(signal);
    const ctx: SchedulerContext = {
      ...this.settings,
      store: this.store,
      keys,
      view,
      policy: this.settings,
      fence,
      log: this.log,
    };
    const grace = setTimeout(
      () => view.silentHostsWithVms().forEach((h) => work.lost(h)),
      this.settings.hostLostGraceMs,
    );
    const requests = follow(
      this.store,
      keys.requests.scheduler.prefix,
      {
        schema: SchedulerRequest,
        signal,
        // Left out, as if deleted: nobody can act on it until it is written again.
        onInvalid: (key, err) => {
          this.log.error({ err, key }, 'invalid scheduler request; ignored');
          work.remove(key.slice(keys.requests.scheduler.prefix.length));
        },
      },
      (ev) => {
        if (ev.type === 'reset') {
          work.reset(ev.entries);
          this.placing = true;
        } else if (ev.type === 'put') work.add(ev.entry);
        else work.remove(ev.key.slice(keys.requests.scheduler.prefix.length));
      },
    );
    try {
      await Promise.race([this.drain(ctx, work, signal), requests, done]);
    } finally {
      this.placing = false;
      clearTimeout(grace);
      work.close();
    }
  }

  /** Works until the term ends; an error that is not ours to fix ends the term. */
  private async drain(ctx: SchedulerContext, work: WorkQueue, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const next = work.take();
      if (!next) {
        await work.wait();
        continue;
      }
      try {
        await this.handle(ctx, next, work);
        work.finished(next);
      } catch (err) {
        if (err instanceof ConflictError && err.keys.includes(ctx.fence!.key)) throw err;
        if (!isStoreFault(err) && next.kind !== 'place') {
          this.putAside(work, next, err);
          continue;
        }
        this.log.error({ err, kind: next.kind }, 'scheduler work failed; retrying');
        work.retry(next);
        await sleep(200);
      }
    }
  }

  /**
   * A resize, migration or lost host that failed on what its records hold (a
   * placement batch isolates its own, see placeAll): it waits, with a growing
   * delay, while the rest of the queue goes on.
   */
  private putAside(work: WorkQueue, job: Exclude<Job, { kind: 'place' }>, err: unknown): void {
    if (job.kind === 'lost') {
      const retryInMs = work.lostLater(job.host);
      this.log.error({ err, host: job.host, retryInMs }, 'marking a lost host failed; trying again later');
      return;
    }
    const retryInMs = work.setAside(job.id);
    work.finished(job);
    this.log.error(
      { err, kind: job.kind, request: job.id, retryInMs },
      'scheduler request failed; set aside',
    );
  }

  private async handle(ctx: SchedulerContext, job: Job, work: WorkQueue): Promise<void> {
    if (job.kind === 'lost') await markHostLost(ctx, job.host);
    else if (job.kind === 'place') {
      const { failed, ...result } = await placeAll(ctx, job.ids, (id) => work.entry(id));
      for (const { id, error } of failed) {
        const retryInMs = work.setAside(id);
        this.log.error({ err: error, request: id, retryInMs }, 'place request failed on its own; set aside');
      }
      this.onBatch(result);
    } else if (job.kind === 'resize') await resize(ctx, job.id);
    else await migrate(ctx, job.id);
  }
}
