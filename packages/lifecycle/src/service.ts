import { Backoff, type Keys, type Logger, type Store, type WatchEvent } from '@nubo/shared';
import type { Transporter } from 'nodemailer';
import type { LifecycleConfig } from './config.js';
import { pruneEvents } from './events.js';
import { Follower } from './follower.js';
import { Notifier } from './notify/notifier.js';
import { loadTemplates } from './notify/templates.js';
import { type ScrubReport, scrubOnce } from './scrub.js';
import { defaultSources, type Source } from './sources.js';

export interface LifecycleDeps {
  store: Store;
  keys: Keys;
  logger: Logger;
  config: Readonly<LifecycleConfig>;
  /** Where e-mail goes; without one, notifications are only logged and dropped. */
  transport?: Transporter;
  sources?: Source[];
  now?: () => Date;
}

const DAY_MS = 86_400_000;

/**
 * The lifecycle daemon's parts, running: one follower per watched prefix
 * (events, BOM movements, notifications), the scrub loop, the event pruner
 * and the mail sender. `stop()` ends them all.
 */
export class LifecycleService {
  readonly followers: Follower[];
  readonly notifier: Notifier | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly now: () => Date;
  private outbox: AsyncIterableIterator<WatchEvent<unknown>> | undefined;
  private stopped = false;

  constructor(private readonly deps: LifecycleDeps) {
    this.now = deps.now ?? (() => new Date());
    const sources = deps.sources ?? defaultSources(deps.keys);
    this.followers = sources.map((s) => new Follower({ ...deps, now: this.now }, s));
    this.notifier = deps.transport
      ? new Notifier({
          ...deps,
          transport: deps.transport,
          from: deps.config.mailFrom,
          templates: loadTemplates(deps.config.templatesDir || undefined),
          region: deps.config.region,
        })
      : undefined;
  }

  follower(name: string): Follower {
    const f = this.followers.find((x) => x.source.name === name);
    if (!f) throw new Error(`no follower for ${name}`);
    return f;
  }

  start(): void {
    for (const f of this.followers) void this.keepRunning(f);
    this.every(this.deps.config.scrubIntervalSeconds, () => this.scrub());
    this.every(this.deps.config.pruneIntervalSeconds, () => this.prune());
    if (this.notifier) {
      void this.followOutbox();
      this.every(this.deps.config.notifyRetrySeconds, () => this.notifier?.kick());
    } else {
      this.every(this.deps.config.notifyRetrySeconds, () => this.dropOutbox());
    }
  }

  async scrub(): Promise<ScrubReport> {
    const report = await scrubOnce(this.deps.store, this.deps.keys, this.now(), this.deps.logger);
    this.deps.logger.info(report, 'scrub pass');
    return report;
  }

  async prune(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - this.deps.config.eventRetentionDays * DAY_MS);
    return pruneEvents(this.deps.store, this.deps.keys, cutoff, {
      onInvalid: (key, err) => this.deps.logger.warn({ key, err }, 'event is not JSON; not pruned'),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const f of this.followers) f.stop();
    await this.outbox?.return?.();
    await this.notifier?.kick();
  }

  /**
   * Runs a follower until `stop()`. One that fails (etcd away as it resumes,
   * a write it cannot make) starts again from its cursor, after 1 s doubling
   * to a minute while it keeps failing: events and billing must not stop for
   * good over one fault.
   */
  private async keepRunning(f: Follower): Promise<void> {
    const backoff = new Backoff(1_000, 60_000);
    while (!this.stopped) {
      const started = Date.now();
      try {
        await f.run();
        return;
      } catch (err) {
        if (this.stopped) return;
        if (Date.now() - started > 60_000) backoff.reset(); // it ran a while: a new fault, not the same one
        const retryInMs = backoff.next();
        this.deps.logger.error({ err, source: f.source.name, retryInMs }, 'follower failed; restarting');
        await new Promise((r) => setTimeout(r, retryInMs).unref());
      }
    }
  }

  /** Runs `task` now and then every `seconds`; a failure is logged, the loop goes on. */
  private every(seconds: number, task: () => Promise<unknown> | undefined): void {
    const run = () => {
      if (this.stopped) return;
      Promise.resolve(task()).catch((err) => this.deps.logger.error({ err }, 'periodic task failed'));
    };
    run();
    this.timers.push(setInterval(run, seconds * 1000));
  }

  /**
   * A new notification starts a send pass. The watch starts before the first
   * pass, so nothing written in between is missed; a compacted or broken
   * watch only delays mail until the next retry pass.
   */
  private async followOutbox(): Promise<void> {
    this.outbox = this.deps.store.watch(this.deps.keys.notifications.prefix);
    void this.notifier?.kick();
    try {
      for await (const ev of this.outbox) if (ev.type === 'put') void this.notifier?.kick();
    } catch (err) {
      if (!this.stopped)
        this.deps.logger.error({ err }, 'outbox watch stopped; mail goes out on retry passes');
    }
  }

  private async dropOutbox(): Promise<void> {
    const n = await this.deps.store.deletePrefix(this.deps.keys.notifications.prefix);
    if (n > 0) this.deps.logger.info({ dropped: n }, 'no SMTP host configured: notifications dropped');
  }
}
