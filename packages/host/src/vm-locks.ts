/** Runs work for one VM at a time, in the order asked; different VMs run in parallel. */
export class VmLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  with<T>(vmId: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(vmId) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => {});
    this.tails.set(vmId, tail);
    void tail.then(() => {
      if (this.tails.get(vmId) === tail) this.tails.delete(vmId);
    });
    return result;
  }

  busy(vmId: string): boolean {
    return this.tails.has(vmId);
  }
}
