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
import type { HypervisorDriver } from './driver.js';
import { HostWorker } from './host-worker.js';
import type { ImageSource } from './image-source.js';
import { invalidRecord } from './invalid-records.js';
import type { ReconcileReport } from './reconcile.js';
import { Registration } from './registration.js';
import type { RunOutcome } from './runner.js';
import { precompileHostSchemas } from './schemas.js';

export interface HostDaemonOptions {
  store: Store;
  prefix?: string;
  hostname: string;
  driver: HypervisorDriver;
  images: ImageSource;
  log: Logger;
  /** Overrides of what the driver reports. */
  capacity?: Partial<Resources>;
  leaseTtlSeconds?: number;
  reconcileIntervalMs?: number;
  bridgeFor?: (network: Network) => string | undefined | Promise<string | undefined>;
  address?: string;
}

/**
 * The daemon of one hypervisor host: registers under a lease, follows
 * `requests/hosts/<hostname>/` (listing first, so requests written while it
 * was down are done on start), carries each out once, and reconciles the
 * hypervisor with etcd at start and every `reconcileIntervalMs`.
 */
export class HostDaemon {
  readonly keys: Keys;
  private readonly worker: HostWorker;
  private readonly abort = new AbortController();
  private registration: Registration | undefined;
  private following: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HostDaemonOptions) {
    this.keys = keyLayout(options.prefix);
    const { store, driver, hostname, log, images } = options;
    this.worker = new HostWorker({
      store,
      keys: this.keys,
      hostname,
      driver,
      images,
      log,
      ...(options.bridgeFor ? { bridgeFor: options.bridgeFor } : {}),
    });
  }

  get name(): string {
    return this.options.hostname;
  }

  /** Called when a request ends, for tests and the benchmark. */
  set onOutcome(listener: (req: HostRequest, outcome: RunOutcome) => void) {
    this.worker.onOutcome = listener;
  }

  get lastReconcile(): ReconcileReport | undefined {
    return this.worker.lastReconcile;
  }

  async start(): Promise<void> {
    const { store, driver, hostname, log } = this.options;
    precompileHostSchemas();
    const reported = await driver.capacity();
    this.registration = new Registration(
      store,
      this.keys,
      {
        name: hostname,
        hypervisor: driver.kind,
        capacity: { ...reported, ...definedOnly(this.options.capacity) },
        leaseTtlSeconds: this.options.leaseTtlSeconds ?? 15,
        ...(this.options.address ? { address: this.options.address } : {}),
      },
      log,
    );
    await this.registration.register();
    let listed!: () => void;
    const ready = new Promise<void>((r) => {
      listed = r;
    });
    this.following = follow(
      store,
      this.keys.requests.host.ofHost(hostname),
      { schema: HostRequest, signal: this.abort.signal, onInvalid: invalidRecord(log, 'host request') },
      (ev) => {
        if (ev.type === 'reset') {
          for (const e of ev.entries) this.worker.dispatch(e);
          listed();
        } else if (ev.type === 'put') {
          if (!ev.entry.value.claimedBy) this.worker.dispatch(ev.entry);
        } else this.worker.forget(ev.key);
      },
    ).catch((err) => log.error({ err }, 'request watch ended'));
    await ready;
    this.scheduleReconcile(0);
  }

  /** Runs one reconcile pass now (also re-runs requests left behind by a failure). */
  reconcileNow(): Promise<ReconcileReport> {
    return this.worker.reconcileNow();
  }

  /** Stops work; the liveness key expires after the lease TTL (`revoke` deletes it now). */
  async stop(options: { revoke?: boolean } = {}): Promise<void> {
    this.abort.abort();
    this.worker.stop();
    clearTimeout(this.timer);
    if (options.revoke) await this.registration?.revoke();
    else this.registration?.release();
    await this.following;
  }

  private scheduleReconcile(delayMs: number): void {
    if (this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.reconcileNow()
        .catch((err) => this.options.log.error({ err }, 'reconcile failed'))
        .finally(() => this.scheduleReconcile(this.options.reconcileIntervalMs ?? 20_000));
    }, delayMs);
  }
}

export function definedOnly(r: Partial<Resources> | undefined): Partial<Resources> {
  return Object.fromEntries(Object.entries(r ?? {}).filter(([, v]) => v !== undefined && v > 0));
}
