// The benchmark's 1,000 simulated hosts (one SimulatedHostFleet, fake driver)
// in their own process, as host daemons run apart from the scheduler. It
// stamps, per VM, when its build request reached a host, when the driver was
// called and when it ran, and tells the parent how many run.
import { FakeDriver, MemoryImageStore, SimulatedHostFleet } from '@nubo/host';
import { createLogger, Store } from '@nubo/shared';
import { RpcCounter } from './scheduler-probes.js';
import { serve, tell, wallMs } from './worker-ipc.js';

// The harness's etcd takes 4,096 ops per transaction; the fleet's grouped claims and finishes use 1,024.
const store = new Store({
  endpoints: (process.env.BENCH_ETCD ?? '').split(','),
  faultHandling: 'overload-tolerant',
  maxTxnOps: 1024,
});
const rpc = new RpcCounter(store);
const log = createLogger('bench-fleet', { level: process.env.NUBO_BENCH_LOG ?? 'silent' });
const stamps = {
  seen: new Map<string, number>(),
  driver: new Map<string, number>(),
  running: new Map<string, number>(),
};

const started = performance.now();
const fleet = new SimulatedHostFleet({
  store,
  prefix: process.env.BENCH_PREFIX ?? '/bench/',
  log,
  leaseTtlSeconds: 60,
  reconcileIntervalMs: 600_000,
  maxTxnOps: 4096,
  hosts: Array.from({ length: Number(process.env.BENCH_HOSTS ?? 1000) }, (_, i) => {
    const driver = new FakeDriver();
    driver.onCall = (op, vmId) => {
      if (op === 'define') stamps.driver.set(vmId, wallMs());
    };
    return { hostname: `sim-${String(i).padStart(4, '0')}`, driver, images: new MemoryImageStore() };
  }),
});
fleet.onDispatch = (_host, req) => {
  if (req.kind === 'build') stamps.seen.set(req.vmId, wallMs());
};
for (const w of fleet.workers.values())
  w.onOutcome = (req, outcome) => {
    if (req.kind === 'build' && outcome === 'done') stamps.running.set(req.vmId, wallMs());
  };
await fleet.start();
const registeredMs = performance.now() - started;

// The running count, at most every 10 ms, for the parent's "all running" wait.
let told = 0;
setInterval(() => {
  if (stamps.running.size === told) return;
  told = stamps.running.size;
  tell({ running: told });
}, 10).unref();

serve({
  registered: () => registeredMs,
  rpc: () => rpc.snapshot(),
  cpu: () => process.cpuUsage(),
  stamps: () => Object.fromEntries(Object.entries(stamps).map(([k, m]) => [k, [...m]])),
  stop: async () => {
    await fleet.stop({ revoke: true });
    await store.close();
    setImmediate(() => process.exit(0));
  },
});
