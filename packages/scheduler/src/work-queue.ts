import { Backoff, type Entry, type SchedulerRequest, type SchedulerRequestKind } from '@nubo/shared';

export type Job =
  | { kind: 'lost'; host: string }
  | { kind: 'place'; ids: string[] }
  | { kind: 'resize' | 'migrate'; id: string };

/** A request that failed alone waits this long, doubling with each failure up to the cap. */
export const SET_ASIDE_FIRST_MS = 1_000;
export const SET_ASIDE_MAX_MS = 60_000;

/**
 * Pending work, taken in order: lost hosts first, then every pending placement
 * as one batch. It keeps each request as the watch delivered it (value and
 * mod_revision), so a batch need not read its requests again: the commit
 * compares their revisions anyway. A request that failed on its own is set
 * aside for a while (see `setAside`) so that it does not fail every batch.
 */
export class WorkQueue {
  private readonly requests = new Map<string, SchedulerRequestKind>();
  private readonly entries = new Map<string, Entry<SchedulerRequest>>();
  private readonly taken = new Set<string>();
  private readonly lostHosts = new Set<string>();
  /** Requests set aside: until when, and how many times each failed in a row. */
  private readonly aside = new Map<string, { until: number; backoff: Backoff }>();
  private asideTimer: NodeJS.Timeout | undefined;
  /** Lost hosts whose marking failed on their own records: failures in a row, and the timer that brings each back. */
  private readonly lostLaterFailures = new Map<string, Backoff>();
  private readonly lostLaterTimers = new Map<string, NodeJS.Timeout>();
  private wake: (() => void) | undefined;

  reset(all: Entry<SchedulerRequest>[]): void {
    this.requests.clear();
    this.entries.clear();
    for (const e of all) this.add(e);
    for (const id of this.aside.keys()) if (!this.requests.has(id)) this.aside.delete(id);
  }
  add(e: Entry<SchedulerRequest>): void {
    // Written again (a new revision): whatever made it fail may be gone.
    const known = this.entries.get(e.value.id);
    if (known && known.modRevision !== e.modRevision) this.aside.delete(e.value.id);
    this.requests.set(e.value.id, e.value.kind);
    this.entries.set(e.value.id, e);
    this.kick();
  }
  remove(id: string): void {
    this.entries.delete(id);
    if (!this.taken.has(id)) {
      this.requests.delete(id);
      this.aside.delete(id);
    }
  }
  /** The request as last seen by the watch, if it is still there. */
  entry(id: string): Entry<SchedulerRequest> | undefined {
    return this.entries.get(id);
  }
  lost(host: string): void {
    this.lostHosts.add(host);
    this.kick();
  }

  take(): Job | undefined {
    const host = this.lostHosts.values().next().value;
    if (host !== undefined) {
      this.lostHosts.delete(host);
      return { kind: 'lost', host };
    }
    const now = Date.now();
    const free = [...this.requests].filter(([id]) => !this.taken.has(id) && !this.waitsAside(id, now));
    const place = free.filter(([, k]) => k === 'place' || k === 'evacuate').map(([id]) => id);
    const job: Job | undefined = place.length
      ? { kind: 'place', ids: place }
      : free[0] && { kind: free[0][1] as 'resize' | 'migrate', id: free[0][0] };
    for (const id of job ? idsOf(job) : []) this.taken.add(id);
    return job;
  }

  finished(job: Job): void {
    if (job.kind === 'lost') this.lostLaterFailures.delete(job.host);
    for (const id of idsOf(job)) {
      if (!this.taken.has(id)) continue; // set aside meanwhile: still pending
      this.taken.delete(id);
      this.requests.delete(id);
      this.entries.delete(id);
      this.aside.delete(id);
    }
  }

  /**
   * A request of a finished job failed on its own: it stays pending but is
   * left out of batches for a while (1 s, doubling to at most a minute), so
   * it cannot hold up the others, and is tried again when its time comes.
   * Call before `finished(job)`, which then keeps it.
   */
  setAside(id: string): number {
    const backoff = this.aside.get(id)?.backoff ?? newBackoff();
    const waitMs = backoff.next();
    this.aside.set(id, { until: Date.now() + waitMs, backoff });
    this.taken.delete(id);
    this.armAsideTimer();
    return waitMs;
  }
  retry(job: Job): void {
    if (job.kind === 'lost') this.lostHosts.add(job.host);
    for (const id of idsOf(job)) this.taken.delete(id);
  }

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }
  /**
   * A lost host whose marking failed on what its records hold: tried again
   * after the same growing wait as a set-aside request, with other work
   * (lost hosts come first) going on meanwhile.
   */
  lostLater(host: string): number {
    const backoff = this.lostLaterFailures.get(host) ?? newBackoff();
    this.lostLaterFailures.set(host, backoff);
    const waitMs = backoff.next();
    clearTimeout(this.lostLaterTimers.get(host)); // one retry per host, the latest
    const timer = setTimeout(() => {
      this.lostLaterTimers.delete(host);
      this.lost(host);
    }, waitMs);
    timer.unref();
    this.lostLaterTimers.set(host, timer);
    return waitMs;
  }

  close(): void {
    clearTimeout(this.asideTimer);
    for (const t of this.lostLaterTimers.values()) clearTimeout(t);
    this.lostLaterTimers.clear();
    this.kick();
  }

  private waitsAside(id: string, now: number): boolean {
    const entry = this.aside.get(id);
    return entry !== undefined && entry.until > now;
  }

  /** Wakes the drain loop when the earliest set-aside request is due. */
  private armAsideTimer(): void {
    clearTimeout(this.asideTimer);
    const now = Date.now();
    // Only waits still running: one already over is in the next batch, and
    // would make this timer fire again at once, over and over.
    const next = Math.min(...[...this.aside.values()].flatMap((a) => (a.until > now ? [a.until] : [])));
    if (!Number.isFinite(next)) return;
    this.asideTimer = setTimeout(() => {
      this.kick();
      this.armAsideTimer();
    }, next - now);
    this.asideTimer.unref();
  }

  private kick(): void {
    const wake = this.wake;
    if (!wake) return;
    this.wake = undefined;
    // Once this turn of the event loop is over: the rest of the watch response
    // that brought this request is queued by then and joins the same batch.
    setImmediate(wake);
  }
}

function newBackoff(): Backoff {
  return new Backoff(SET_ASIDE_FIRST_MS, SET_ASIDE_MAX_MS);
}

function idsOf(job: Job): string[] {
  return job.kind === 'lost' ? [] : job.kind === 'place' ? job.ids : [job.id];
}
