import { randomBytes } from 'node:crypto';
import { type Entry, HostRequest, type Keys, type Logger, type Network, type Store } from '@nubo/shared';
import { type Commit, directCommit } from './commit.js';
import type { HypervisorDriver } from './driver.js';
import type { ImageSource } from './image-source.js';
import { invalidRecord } from './invalid-records.js';
import { type ReconcileReport, reconcile } from './reconcile.js';
import { type RunnerDeps, type RunOutcome, runRequest } from './runner.js';
import { resolveSpec, type SpecSources } from './spec.js';
import { VmLocks } from './vm-locks.js';

export interface HostWorkerOptions {
  store: Store;
  keys: Keys;
  hostname: string;
  driver: HypervisorDriver;
  images: ImageSource;
  log: Logger;
  bridgeFor?: (network: Network) => string | undefined | Promise<string | undefined>;
  /** How claims, spec reads and finishes reach etcd; default one transaction each. */
  commit?: Commit;
}

/**
 * The work of one host, apart from how it hears of requests: carries each
 * request out once (skipping those already in flight), and reconciles the
 * hypervisor with etcd. A HostDaemon feeds it from its own watch; a
 * SimulatedHostFleet feeds many from one shared watch.
 */
export class HostWorker {
  private readonly locks = new VmLocks();
  private readonly inFlight = new Set<string>();
  private readonly runner: RunnerDeps;
  private stopped = false;
  /** Called when a request ends, for tests and the benchmark. */
  onOutcome: (req: HostRequest, outcome: RunOutcome) => void = () => {};
  lastReconcile: ReconcileReport | undefined;

  constructor(private readonly options: HostWorkerOptions) {
    const { store, keys, driver, hostname, log } = options;
    const commit = options.commit ?? directCommit(store);
    const spec: SpecSources = {
      store,
      keys,
      images: options.images,
      bridgeFor: options.bridgeFor ?? (() => undefined),
      // Batched reads only where commits are batched: a single daemon keeps readMany.
      ...(options.commit ? { read: async (ks: string[]) => readOnly(commit, ks) } : {}),
    };
    this.runner = {
      commit,
      store,
      keys,
      claimId: `${hostname}/${process.pid}/${randomBytes(4).toString('hex')}`,
      act: { me: hostname, driver, spec: (vm, sizes, known) => resolveSpec(spec, vm, sizes, known) },
      locks: this.locks,
      log,
    };
  }

  get name(): string {
    return this.options.hostname;
  }

  /** A request seen (listed or put): run it unless it runs already. */
  dispatch(entry: Entry<HostRequest>): void {
    if (this.stopped || this.inFlight.has(entry.key)) return;
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

  /** A request key was deleted (done, here or by whoever took it over). */
  forget(key: string): void {
    this.inFlight.delete(key);
  }

  /** Runs one reconcile pass now (also re-runs requests left behind by a failure). */
  async reconcileNow(): Promise<ReconcileReport> {
    const { store, keys } = this.options;
    const { entries } = await store.list(
      keys.requests.host.ofHost(this.name),
      HostRequest,
      invalidRecord(this.options.log, 'host request'),
    );
    for (const e of entries) this.dispatch(e);
    this.lastReconcile = await reconcile({ ...this.runner, me: this.name, driver: this.options.driver });
    return this.lastReconcile;
  }

  stop(): void {
    this.stopped = true;
  }
}

async function readOnly(commit: Commit, keys: string[]): Promise<(Entry<unknown> | undefined)[]> {
  const res = await commit({ compare: [], puts: [], reads: keys.map((key) => ({ key })) });
  return res!.entries; // no compare: cannot fail
}
