import {
  follow,
  HostRequest,
  type Keys,
  keyLayout,
  type Logger,
  type Network,
  type Resources,
  type Store,
} from '@nubo/shared';
import { groupedCommit } from './commit.js';
import { definedOnly } from './daemon.js';
import type { HypervisorDriver } from './driver.js';
import { FleetRegistration } from './fleet-registration.js';
import { HostWorker } from './host-worker.js';
import type { ImageSource } from './image-source.js';
import { invalidRecord } from './invalid-records.js';
import { precompileHostSchemas } from './schemas.js';

export interface SimulatedHost {
  hostname: string;
  driver: HypervisorDriver;
  images: ImageSource;
  capacity?: Partial<Resources>;
}

export interface SimulatedHostFleetOptions {
  store: Store;
  prefix?: string;
  hosts: SimulatedHost[];
  log: Logger;
  leaseTtlSeconds?: number;
  reconcileIntervalMs?: number;
  /**
   * etcd's `--max-txn-ops` (128 by default): registration is written in
   * transactions of this size. Claims, spec reads and finishes are grouped
   * within the Store's own `maxTxnOps`.
   */
  maxTxnOps?: number;
  bridgeFor?: (network: Network) => string | undefined | Promise<string | undefined>;
}

/** How many hosts reconcile at once: enough to finish 1,000 quickly, few enough not to swamp etcd. */
const RECONCILE_CONCURRENCY = 16;

/**
 * Many simulated hosts in one process (the fake driver's purpose): each host
 * does its own requests and reconcile exactly as a HostDaemon would, but
 * they share one etcd client, one liveness lease and one watch on
 * `requests/hosts/` that dispatches by host name. Real hosts run one
 * HostDaemon each; this is for tests and benchmarks at scale.
 */
export class SimulatedHostFleet {
  readonly keys: Keys;
  readonly workers = new Map<string, HostWorker>();
  private readonly abort = new AbortController();
  private registration: FleetRegistration | undefined;
  private following: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Called when the shared watch hands a new request to a host, for the benchmark. */
  onDispatch: (host: string, req: HostRequest) => void = () => {};

  constructor(private readonly options: SimulatedHostFleetOptions) {
    this.keys = keyLayout(options.prefix);
    const commit = groupedCommit(options.store);
    for (const h of options.hosts) {
      const worker = new HostWorker({
        store: options.store,
        keys: this.keys,
        hostname: h.hostname,
        driver: h.driver,
        images: h.images,
        log: options.log.child({ host: h.hostname }),
        commit,
        ...(options.bridgeFor ? { bridgeFor: options.bridgeFor } : {}),
      });
      this.workers.set(h.hostname, worker);
    }
  }

  /** Registers every host under one lease, starts the shared watch, reconciles each host once. */
  async start(): Promise<void> {
    const { store, log } = this.options;
    precompileHostSchemas();
    const hosts = await Promise.all(
      this.options.hosts.map(async (h) => ({
        name: h.hostname,
        hypervisor: h.driver.kind,
        capacity: { ...(await h.driver.capacity()), ...definedOnly(h.capacity) },
      })),
    );
    this.registration = new FleetRegistration(store, this.keys, hosts, {
      leaseTtlSeconds: this.options.leaseTtlSeconds ?? 15,
      maxTxnOps: this.options.maxTxnOps ?? 128,
      log,
    });
    await this.registration.register();
    let listed!: () => void;
    const ready = new Promise<void>((r) => {
      listed = r;
    });
    const prefix = this.keys.requests.host.prefix;
    const workerOf = (key: string) => this.workers.get(key.slice(prefix.length).split('/', 1)[0]!);
    const onInvalid = invalidRecord(log, 'host request');
    this.following = follow(
      store,
      prefix,
      { schema: HostRequest, signal: this.abort.signal, onInvalid },
      (ev) => {
        if (ev.type === 'reset') {
          for (const e of ev.entries) workerOf(e.key)?.dispatch(e);
          listed();
        } else if (ev.type === 'put') {
          const worker = ev.entry.value.claimedBy ? undefined : workerOf(ev.key);
          if (!worker) return;
          this.onDispatch(worker.name, ev.entry.value);
          worker.dispatch(ev.entry);
        } else workerOf(ev.key)?.forget(ev.key);
      },
    ).catch((err) => log.error({ err }, 'fleet request watch ended'));
    await ready;
    await this.reconcileAll();
    this.scheduleReconcile();
  }

  /** One reconcile pass over every host, a few at a time. */
  async reconcileAll(): Promise<void> {
    const queue = [...this.workers.values()];
    const lane = async () => {
      for (let w = queue.shift(); w; w = queue.shift())
        await w
          .reconcileNow()
          .catch((err) => this.options.log.error({ err, host: w!.name }, 'reconcile failed'));
    };
    await Promise.all(Array.from({ length: RECONCILE_CONCURRENCY }, lane));
  }

  /** Stops every host; `revoke` deletes the liveness keys now, otherwise they expire with the lease. */
  async stop(options: { revoke?: boolean } = {}): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    for (const w of this.workers.values()) w.stop();
    if (options.revoke) await this.registration?.revoke();
    else this.registration?.release();
    await this.following;
  }

  private scheduleReconcile(): void {
    if (this.abort.signal.aborted) return;
    this.timer = setTimeout(
      () => void this.reconcileAll().finally(() => this.scheduleReconcile()),
      this.options.reconcileIntervalMs ?? 20_000,
    );
  }
}
