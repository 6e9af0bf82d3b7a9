import { Backoff, type Logger } from '@nubo/shared';

/**
 * Projects waiting to be reconciled, one at a time. A project added while it
 * is being reconciled runs again afterwards; a failure retries with backoff.
 */
export class ReconcileQueue {
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, Backoff>();
  private running: Promise<void> | undefined;
  private readonly waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly work: (id: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  add(id: string): void {
    if (this.closed) return;
    this.pending.add(id);
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
      if (this.pending.size > 0) this.add([...this.pending][0]!);
      else this.waiters.splice(0).forEach((w) => w());
    });
  }

  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No new work; waits for what runs now. */
  async drain(): Promise<void> {
    this.closed = true;
    this.pending.clear();
    await this.running;
  }

  private async loop(): Promise<void> {
    for (let id = this.next(); id !== undefined; id = this.next()) {
      try {
        await this.work(id);
        this.failures.delete(id);
      } catch (err) {
        const backoff = this.failures.get(id) ?? new Backoff(500, 30_000);
        this.failures.set(id, backoff);
        const delay = backoff.next();
        this.log.error({ err, project: id, retryInMs: delay }, 'reconcile failed');
        setTimeout(() => this.add(id), delay).unref();
      }
    }
  }

  private next(): string | undefined {
    const id = this.pending.values().next().value;
    if (id !== undefined) this.pending.delete(id);
    return id;
  }
}
