import {
  Host,
  type HostLiveness,
  type Hypervisor,
  type Keys,
  type LeaseHandle,
  type Logger,
  type Resources,
  readMany,
  type Store,
} from '@nubo/shared';

export interface FleetHost {
  name: string;
  hypervisor: Hypervisor;
  capacity: Resources;
}

export interface FleetRegistrationOptions {
  leaseTtlSeconds: number;
  maxTxnOps: number;
  log: Logger;
}

const VERSION = '0.1.0';

/**
 * Registration of many simulated hosts at once: the same records a
 * Registration writes (`hosts/<name>`, keeping the admin's `enabled`, and
 * `alive/<name>`), but every liveness key under one shared lease and written
 * in as few transactions as etcd allows, so 1,000 hosts cost a handful of
 * round-trips and one keep-alive instead of 1,000 leases.
 */
export class FleetRegistration {
  private lease: LeaseHandle | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly keys: Keys,
    private readonly hosts: FleetHost[],
    private readonly options: FleetRegistrationOptions,
  ) {}

  async register(): Promise<void> {
    const lease = await this.store.lease(this.options.leaseTtlSeconds);
    this.lease = lease;
    await this.writeAll(lease.id);
    lease.onLost((err) => {
      if (this.closed || this.lease !== lease) return;
      this.options.log.warn({ err }, 'fleet lease lost; registering again');
      void this.register().catch((e) => this.options.log.error({ err: e }, 'cannot register again'));
    });
  }

  release(): void {
    this.closed = true;
    this.lease?.release();
  }

  async revoke(): Promise<void> {
    this.closed = true;
    await this.lease?.revoke();
  }

  /** Two puts per host (record, liveness), one compare: chunks of maxTxnOps / 2 hosts. */
  private async writeAll(leaseId: string): Promise<void> {
    const size = Math.max(1, Math.floor(this.options.maxTxnOps / 2));
    for (let i = 0; i < this.hosts.length; i += size)
      await this.writeChunk(this.hosts.slice(i, i + size), leaseId);
  }

  private async writeChunk(hosts: FleetHost[], leaseId: string): Promise<void> {
    const keys = hosts.map((h) => this.keys.hosts.one(h.name));
    const { entries } = await readMany(this.store, keys, Host, { chunk: this.options.maxTxnOps });
    const txn = this.store.txn();
    const startedAt = new Date().toISOString();
    hosts.forEach((h, i) => {
      const current = entries[i];
      const host: Host = {
        name: h.name,
        hypervisor: h.hypervisor,
        capacity: h.capacity,
        enabled: current?.value.enabled ?? true,
        createdAt: current?.value.createdAt ?? startedAt,
      };
      const liveness: HostLiveness = { name: h.name, pid: process.pid, startedAt, version: VERSION };
      txn.compare(keys[i]!, current?.modRevision ?? 0).put(keys[i]!, host);
      txn.put(this.keys.alive.one(h.name), liveness, leaseId);
    });
    await txn.commit();
  }
}
