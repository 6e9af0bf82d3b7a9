// One scheduler for bench/scheduler-placement.ts, in its own process as in a
// region. It tells the parent when it leads, when it places (view and requests
// loaded), and each batch it commits.
import { Scheduler } from '@nubo/scheduler';
import { createLogger, Store } from '@nubo/shared';
import { RpcCounter } from './scheduler-probes.js';
import { serve, tell, wallMs } from './worker-ipc.js';

const store = new Store({
  endpoints: (process.env.BENCH_ETCD ?? '').split(','),
  faultHandling: 'overload-tolerant',
});
const rpc = new RpcCounter(store);
const log = createLogger('bench-scheduler', { level: process.env.NUBO_BENCH_LOG ?? 'silent' });
const scheduler = new Scheduler(
  store,
  {
    prefix: process.env.BENCH_PREFIX ?? '/bench/',
    schedulerId: process.env.BENCH_SCHEDULER_ID ?? 'bench',
    cpuRatio: 4,
    ramRatio: 1,
    diskRatio: 1,
    weigher: 'spread',
    maxTxnOps: 4096,
    maxTxnBytes: 1_000_000,
    leaseTtlSeconds: 10,
    hostLostGraceMs: 600_000,
  },
  log,
);
scheduler.onBatch = (r) => tell({ batch: { t: wallMs(), n: r.placed + r.unresourced } });

serve({
  /** Resolves once placing: with the wall-clock times it led and began to place. */
  start: async () => {
    scheduler.start();
    while (!scheduler.isLeader) await new Promise((r) => setTimeout(r, 1));
    const led = wallMs();
    while (!scheduler.isPlacing) await new Promise((r) => setTimeout(r, 1));
    return { led, placing: wallMs() };
  },
  rpc: () => rpc.snapshot(),
  cpu: () => process.cpuUsage(),
  stop: async () => {
    await scheduler.stop();
    await store.close();
    setImmediate(() => process.exit(0));
  },
});
