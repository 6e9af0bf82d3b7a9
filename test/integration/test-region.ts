// A region in one test process: a real etcd, schedulers and host daemons with
// fake drivers, under a prefix of their own. Everything is stopped by dispose().
import { FakeDriver, HostDaemon, MemoryImageStore } from '@nubo/host';
import {
  type ClusterView,
  DEFAULT_POLICY,
  type PlacementPolicy,
  Scheduler,
  type SchedulerContext,
  type SchedulerSettings,
} from '@nubo/scheduler';
import { createLogger, type Image, type Keys, keyLayout, type Resources, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { seedImage } from './region-fixture.js';

export const quiet = createLogger('test', { level: process.env.NUBO_TEST_LOG ?? 'silent' });

export interface TestHost {
  daemon: HostDaemon;
  driver: FakeDriver;
  store: Store;
}

export class TestRegion {
  private readonly schedulers: Scheduler[] = [];
  private readonly hosts: TestHost[] = [];
  private readonly stores: Store[] = [];

  private constructor(
    readonly etcd: EtcdCluster,
    readonly store: Store,
    readonly prefix: string,
    readonly keys: Keys,
    readonly image: Image,
  ) {}

  static async start(etcd?: EtcdCluster): Promise<TestRegion> {
    const cluster = etcd ?? (await EtcdCluster.start());
    const store = new Store({ endpoints: cluster.endpoints });
    const prefix = uniquePrefix('sched');
    const keys = keyLayout(prefix);
    return new TestRegion(cluster, store, prefix, keys, await seedImage(store, keys));
  }

  settings(extra: Partial<SchedulerSettings> = {}): SchedulerSettings {
    return {
      prefix: this.prefix,
      schedulerId: `s${this.schedulers.length}`,
      cpuRatio: 1,
      ramRatio: 1,
      diskRatio: 1,
      weigher: 'spread',
      maxTxnOps: 4096,
      maxTxnBytes: 1_000_000,
      leaseTtlSeconds: 2,
      hostLostGraceMs: 60_000,
      ...extra,
    };
  }

  /** What `placeAll` needs, on the region's store and this view: for a test that plays the scheduler. */
  placementContext(view: ClusterView, policy: PlacementPolicy = DEFAULT_POLICY): SchedulerContext {
    return {
      store: this.store,
      keys: this.keys,
      view,
      policy,
      maxTxnOps: 128,
      maxTxnBytes: 1_000_000,
      log: quiet,
    };
  }

  startScheduler(extra: Partial<SchedulerSettings> = {}): Scheduler {
    const scheduler = new Scheduler(this.newStore(), this.settings(extra), quiet);
    scheduler.start();
    this.schedulers.push(scheduler);
    return scheduler;
  }

  /** Stops every scheduler started so far (each hands over its leadership at once). */
  async stopSchedulers(): Promise<void> {
    for (const s of this.schedulers.splice(0)) await s.stop();
  }

  /** A host daemon with a fake driver; pass `driver` to keep a "machine" across daemon restarts. */
  async startHost(
    name: string,
    options: { capacity?: Resources; driver?: FakeDriver; ttl?: number } = {},
  ): Promise<TestHost> {
    const driver =
      options.driver ??
      new FakeDriver({ capacity: options.capacity ?? { cpus: 4, ramMiB: 8192, diskGiB: 100 } });
    const store = this.newStore();
    const daemon = new HostDaemon({
      store,
      prefix: this.prefix,
      hostname: name,
      driver,
      images: new MemoryImageStore(),
      log: quiet,
      leaseTtlSeconds: options.ttl ?? 2,
      reconcileIntervalMs: 60_000,
    });
    await daemon.start();
    const host = { daemon, driver, store };
    this.hosts.push(host);
    return host;
  }

  /** Stops a daemon as a crash would (its lease is left to expire). */
  async stopHost(host: TestHost, options: { revoke?: boolean } = {}): Promise<void> {
    await host.daemon.stop(options);
  }

  private newStore(): Store {
    const store = new Store({ endpoints: this.etcd.endpoints });
    this.stores.push(store);
    return store;
  }

  async dispose(options: { keepEtcd?: boolean } = {}): Promise<void> {
    for (const s of this.schedulers) await s.stop().catch(() => {});
    for (const h of this.hosts) await h.daemon.stop({ revoke: true }).catch(() => {});
    await this.store.deletePrefix(this.prefix);
    for (const s of [...this.stores, this.store]) await s.close();
    if (!options.keepEtcd) await this.etcd.dispose();
  }
}
