import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError } from '@nubo/shared';

/**
 * Runs a read-compute-commit step again when its transaction lost a race
 * (ConflictError); `fatal` picks conflicts that are answers, not races (a taken
 * name), and lets them through. Each attempt re-reads everything it compares.
 */
export async function retryOnConflict<T>(
  step: () => Promise<T>,
  options: { attempts?: number; fatal?: (err: ConflictError) => Error | undefined } = {},
): Promise<T> {
  const attempts = options.attempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const answer = options.fatal?.(err);
      if (answer) throw answer;
      if (attempt >= attempts) throw err;
      await sleep(Math.random() * 2 * attempt);
    }
  }
}

/**
 * Runs tasks with the same key one after another inside this process. Creates
 * in one project all compare that project's quota-usage key; queueing them
 * here means one API copy never races with itself (copies still may, and the
 * transaction's compare keeps them correct).
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
