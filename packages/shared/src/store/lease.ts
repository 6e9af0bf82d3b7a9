import type { Etcd3, Lease } from 'etcd3';

/**
 * A granted lease, kept alive by the client. `onLost` fires when etcd says the
 * lease is gone (expired during a partition, or revoked elsewhere): whoever
 * held it must stop acting as its owner.
 */
export class LeaseHandle {
  private constructor(
    private readonly lease: Lease,
    readonly id: string,
  ) {}

  static async grant(client: Etcd3, ttlSeconds: number): Promise<LeaseHandle> {
    const lease = client.lease(ttlSeconds, { autoKeepAlive: true });
    const id = await lease.grant();
    return new LeaseHandle(lease, id);
  }

  onLost(listener: (err: Error) => void): void {
    this.lease.on('lost', listener);
  }

  /** Ends the lease now; every key attached to it is deleted. */
  async revoke(): Promise<void> {
    await this.lease.revoke();
  }

  /** Stops keeping it alive without revoking; its keys expire after the TTL (simulates a crash). */
  release(): void {
    this.lease.release();
  }
}
