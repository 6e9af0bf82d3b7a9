/**
 * Waits between tries of something that keeps failing: `firstMs`, doubling
 * with each failure in a row, at most `maxMs`; `reset()` once it succeeds.
 * One schedule for every retry loop of the daemons, so none hammers etcd.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {}

  /** The wait before the next try, counting one more failure. */
  next(): number {
    return Math.min(this.maxMs, this.firstMs * 2 ** this.failures++);
  }

  reset(): void {
    this.failures = 0;
  }
}
