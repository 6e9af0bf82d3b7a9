import { randomBytes } from 'node:crypto';
import {
  type Entry,
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
import type { ImageSource } from './image-source.js';
import { type ReconcileReport, reconcile } from './reconcile.js';
import { Registration } from './registration.js';
import { type RunnerDeps, type RunOutcome, runRequest } from './runner.js';
import { resolveSpec } from './spec.js';
import { VmLocks } from './vm-locks.js';

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
  bridgeFor?: (network: Network) => string | undefined;
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
  private readonly locks = new VmLocks();
  private readonly inFlight = new Set<string>();
  private readonly abort = new AbortController();
  private registration: Registration | undefined;
  private following: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly runner: RunnerDeps;
  /** Called when a request ends, for tests and the benchmark. */
  onOutcome: (req: HostRequest, outcome: RunOutcome) => void = () => {};
  lastReconcile: ReconcileReport | undefined;

  constructor(private readonly options: HostDaemonOptions) {
    this.keys = keyLayout(options.prefix);
    const { store, driver, hostname, log } = options;
    const spec = {
      store,
      keys: this.keys,
      images: options.images,
      bridgeFor: options.bridgeFor ?? (() => undefined),
    };
    this.runner = {
      store,
      keys: this.keys,
      claimId: `${hostname}/${process.pid}/${randomBytes(4).toString('hex')}`,
      act: { me: hostname, driver, spec: (vm, sizes) => resolveSpec(spec, vm, sizes) },
      locks: this.locks,
      log,
    };
  }

  get name(): string {
    return this.options.hostname;
  }

  async start(): Promise<void> {
    const { store, driver, hostname, log } = this.options;
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
      { schema: HostRequest, signal: this.abort.signal },
      (ev) => {
        if (ev.type === 'reset') {
          for (const e of ev.entries) this.dispatch(e);
          listed();
        } else if (ev.type === 'put') {
          if (!ev.entry.value.claimedBy) this.dispatch(ev.entry);
        } else this.inFlight.delete(ev.key);
      },
    ).catch((err) => log.error({ err }, 'request watch ended'));
    await ready;
    this.scheduleReconcile(0);
  }

  /** Runs one reconcile pass now (also re-runs requests left behind by a failure). */
  async reconcileNow(): Promise<ReconcileReport> {
    await this.retryLeftovers();
    this.lastReconcile = await reconcile({ ...this.runner, me: this.name, driver: this.options.driver });
    return this.lastReconcile;
  }

  /** Stops work; the liveness key expires after the lease TTL (`revoke` deletes it now). */
  async stop(options: { revoke?: boolean } = {}): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    if (options.revoke) await this.registration?.revoke();
    else this.registration?.release();
    await this.following;
  }

  private dispatch(entry: Entry<HostRequest>): void {
    if (this.abort.signal.aborted || this.inFlight.has(entry.key)) return;
    this.inFlight.add(entry.key);
    void runRequest(this.runner, entry)
      .then((outcome) => {
        // A request that failed and stays (retry) is tried again by the next reconcile.
        if (outcome === 'retry') this.inFlight.delete(entry.key);
        this.onOutcome(entry.value, outcome);
      })
      .catch((err) => {
        this.inFlight.delete(entry.key);
        this.options.log.error(
          { err, request: entry.value.id },
          'request could not be carried out; will retry',
        );
      });
  }

  private async retryLeftovers(): Promise<void> {
    const { entries } = await this.options.store.list(this.keys.requests.host.ofHost(this.name), HostRequest);
    for (const e of entries) this.dispatch(e);
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

function definedOnly(r: Partial<Resources> | undefined): Partial<Resources> {
  return Object.fromEntries(Object.entries(r ?? {}).filter(([, v]) => v !== undefined && v > 0));
}
