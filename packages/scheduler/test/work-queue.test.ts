import type { Entry, SchedulerRequest } from '@nubo/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SET_ASIDE_FIRST_MS, SET_ASIDE_MAX_MS, WorkQueue } from '../src/work-queue.js';

function placeRequest(id: string): Entry<SchedulerRequest> {
  const value: SchedulerRequest = {
    id,
    kind: 'place',
    vmId: `vm-${id}`,
    createdAt: '2026-12-01T00:00:00.000Z',
  };
  return { key: `/r/${id}`, value, modRevision: 1, createRevision: 1, version: 1, lease: '0' };
}

/** Takes a job and finishes it, setting `failing` aside first; returns the job's ids. */
function runOnce(work: WorkQueue, failing: string[] = []): string[] {
  const job = work.take();
  if (job?.kind !== 'place') return [];
  for (const id of failing) work.setAside(id);
  work.finished(job);
  return job.ids;
}

describe('WorkQueue: a request that failed on its own', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stays pending but out of batches until its wait is over, then comes back', () => {
    const work = new WorkQueue();
    for (const id of ['a', 'bad', 'b']) work.add(placeRequest(id));
    expect(runOnce(work, ['bad'])).toEqual(['a', 'bad', 'b']);

    work.add(placeRequest('c'));
    expect(runOnce(work)).toEqual(['c']); // 'bad' is not in the batch
    expect(work.take()).toBeUndefined();

    vi.advanceTimersByTime(SET_ASIDE_FIRST_MS);
    expect(runOnce(work)).toEqual(['bad']); // placed this time
    expect(work.take()).toBeUndefined(); // and gone
  });

  it('waits twice as long after each failure in a row, up to the cap', () => {
    const work = new WorkQueue();
    work.add(placeRequest('bad'));
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const job = work.take();
      expect(job).toEqual({ kind: 'place', ids: ['bad'] });
      waits.push(work.setAside('bad'));
      work.finished(job!);
      expect(work.take()).toBeUndefined();
      vi.advanceTimersByTime(waits.at(-1)!);
    }
    expect(waits.slice(0, 4)).toEqual([1, 2, 4, 8].map((n) => n * SET_ASIDE_FIRST_MS));
    expect(waits.at(-1)).toBe(SET_ASIDE_MAX_MS);
  });

  it('wakes a waiting drain loop when a set-aside request is due', async () => {
    const work = new WorkQueue();
    work.add(placeRequest('bad'));
    runOnce(work, ['bad']);
    let woke = false;
    const waiting = work.wait().then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(SET_ASIDE_FIRST_MS - 1);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersToNextTimerAsync(); // the wake itself waits for the end of the turn
    await waiting;
    expect(woke).toBe(true);
    work.close();
  });

  it('forgets a set-aside request once etcd deletes it', () => {
    const work = new WorkQueue();
    work.add(placeRequest('bad'));
    runOnce(work, ['bad']);
    work.remove('bad');
    vi.advanceTimersByTime(SET_ASIDE_MAX_MS);
    expect(work.take()).toBeUndefined();
  });

  it('does not spin its timer while one request is due and another still waits', () => {
    const work = new WorkQueue();
    work.add(placeRequest('a'));
    runOnce(work, ['a']);
    vi.advanceTimersByTime(SET_ASIDE_FIRST_MS / 2);
    work.add(placeRequest('b'));
    const job = work.take(); // 'b' alone
    work.setAside('b');
    work.finished(job!);
    vi.advanceTimersByTime(SET_ASIDE_FIRST_MS / 2); // 'a' is due, 'b' is not: the timer now waits for 'b'
    const armed = vi.spyOn(globalThis, 'setTimeout');
    vi.advanceTimersByTime(SET_ASIDE_FIRST_MS / 4);
    expect(armed).not.toHaveBeenCalled(); // before, it re-armed at 0 ms, again and again
    armed.mockRestore();
    expect(runOnce(work)).toEqual(['a']);
  });

  it('takes a request written again at once, whatever its wait', () => {
    const work = new WorkQueue();
    work.add(placeRequest('bad'));
    runOnce(work, ['bad']);
    expect(work.take()).toBeUndefined();
    work.add({ ...placeRequest('bad'), modRevision: 2 });
    expect(runOnce(work)).toEqual(['bad']);
  });
});
