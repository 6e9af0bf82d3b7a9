import {
  Host,
  type HostLiveness,
  type Hypervisor,
  type Keys,
  type LeaseHandle,
  type Logger,
  type Resources,
  type Store,
} from '@nubo/shared';

export interface RegistrationOptions {
  name: string;
  hypervisor: Hypervisor;
  capacity: Resources;
  address?: string;
  leaseTtlSeconds: number;
}

const VERSION = '0.1.0';

/**
 * The host's records: `hosts/<name>` (capacity; `enabled` is the admin's and
 * kept as it is) and `alive/<name>` under the daemon's lease, present exactly
 * while the daemon lives. If etcd drops the lease (a long partition), a new
 * one is taken and the liveness key written again.
 */
export class Registration {
  private lease: LeaseHandle | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly keys: Keys,
    private readonly options: RegistrationOptions,
    private readonly log: Logger,
  ) {}

  async register(): Promise<void> {
    await this.writeHost();
    await this.goAlive();
  }

  /** Stops keeping the lease alive: `alive/<name>` vanishes after the TTL, as if the daemon died. */
  release(): void {
    this.closed = true;
    this.lease?.release();
  }

  /** Deletes `alive/<name>` now: the scheduler treats the host as lost at once. */
  async revoke(): Promise<void> {
    this.closed = true;
    await this.lease?.revoke();
  }

  private async writeHost(): Promise<void> {
    const key = this.keys.hosts.one(this.options.name);
    const current = await this.store.get(key, Host);
    const host: Host = {
      name: this.options.name,
      hypervisor: this.options.hypervisor,
      capacity: this.options.capacity,
      enabled: current?.value.enabled ?? true,
      createdAt: current?.value.createdAt ?? new Date().toISOString(),
      ...(this.options.address ? { address: this.options.address } : {}),
    };
    await this.store
      .txn()
      .compare(key, current?.modRevision ?? 0)
      .put(key, host)
      .commit();
  }

  private async goAlive(): Promise<void> {
    const lease = await this.store.lease(this.options.leaseTtlSeconds);
    this.lease = lease;
    const liveness: HostLiveness = {
      name: this.options.name,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      version: VERSION,
    };
    await this.store.put(this.keys.alive.one(this.options.name), liveness, lease.id);
    lease.onLost((err) => {
      if (this.closed || this.lease !== lease) return;
      this.log.warn({ err }, 'liveness lease lost; registering again');
      void this.goAlive().catch((e) => this.log.error({ err: e }, 'cannot register again'));
    });
  }
}
