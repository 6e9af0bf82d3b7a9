import type { Entry, SchedulerRequest, SchedulerRequestKind } from '@nubo/shared';

export type Job =
  | { kind: 'lost'; host: string }
  | { kind: 'place'; ids: string[] }
  | { kind: 'resize' | 'migrate'; id: string };

/**
 * Pending work, taken in order: lost hosts first, then every pending placement
 * as one batch. It keeps each request as the watch delivered it (value and
 * mod_revision), so a batch need not read its requests again: the commit
 * compares their revisions anyway.
 */
export class WorkQueue {
  private readonly requests = new Map<string, SchedulerRequestKind>();
  private readonly entries = new Map<string, Entry<SchedulerRequest>>();
  private readonly taken = new Set<string>();
  private readonly lostHosts = new Set<string>();
  private wake: (() => void) | undefined;

  reset(all: Entry<SchedulerRequest>[]): void {
    this.requests.clear();
    this.entries.clear();
    for (const e of all) this.add(e);
  }
  add(e: Entry<SchedulerRequest>): void {
    this.requests.set(e.value.id, e.value.kind);
    this.entries.set(e.value.id, e);
    this.kick();
  }
  remove(id: string): void {
    this.entries.delete(id);
    if (!this.taken.has(id)) this.requests.delete(id);
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
    const free = [...this.requests].filter(([id]) => !this.taken.has(id));
    const place = free.filter(([, k]) => k === 'place' || k === 'evacuate').map(([id]) => id);
    const job: Job | undefined = place.length
      ? { kind: 'place', ids: place }
      : free[0] && { kind: free[0][1] as 'resize' | 'migrate', id: free[0][0] };
    for (const id of job ? idsOf(job) : []) this.taken.add(id);
    return job;
  }

  finished(job: Job): void {
    for (const id of idsOf(job)) {
      this.taken.delete(id);
      this.requests.delete(id);
      this.entries.delete(id);
    }
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
  close(): void {
    this.kick();
  }
  private kick(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function idsOf(job: Job): string[] {
  return job.kind === 'lost' ? [] : job.kind === 'place' ? job.ids : [job.id];
}
