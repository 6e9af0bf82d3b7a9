// Benchmark: 1,000 simulated hosts (fake driver, one SimulatedHostFleet) and a real etcd.
// Anchors (issue 4): ≥ 1,000 placements/s; p99 request → driver call ≤ 50 ms;
// beside them, raw etcd single-key puts/s at the same concurrency.
// Run: node --import tsx bench/scheduler-placement.ts [hosts] [rate/s] [seconds] [burst]
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeDriver, MemoryImageStore, SimulatedHostFleet } from '@nubo/host';
import { Scheduler } from '@nubo/scheduler';
import { ConflictError, createLogger, isNuboError, keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { seedImage } from '../test/integration/region-fixture.js';
import { cpuSeconds, etcdPidOf } from './scheduler-cpu.js';
import { between, limited, loadAverage, ms, pct, RpcCounter, rawPutsPerSecond } from './scheduler-probes.js';
import { createVmOneTxn } from './scheduler-writer.js';

const arg = (i: number, fallback: number): number => Number(process.argv[i + 2] ?? fallback);
const HOSTS = arg(0, 1000);
const RATE = arg(1, 1000);
const SECONDS = arg(2, 5);
const BURST = arg(3, 5000);
const WRITERS = 128; // the API's create calls in flight while the backlog is written
const log = createLogger('bench', { level: process.env.NUBO_BENCH_LOG ?? 'silent' });

const etcd = await EtcdCluster.start();
const etcdPid = etcdPidOf(etcd.endpoints[0]!);
const prefix = uniquePrefix('bench');
const keys = keyLayout(prefix);
const storeOptions = { endpoints: etcd.endpoints, faultHandling: 'overload-tolerant' } as const;
const stores = {
  writer: new Store(storeOptions),
  scheduler: new Store(storeOptions),
  hosts: new Store(storeOptions),
};
const counters = Object.fromEntries(Object.entries(stores).map(([k, s]) => [k, new RpcCounter(s)])) as Record<
  keyof typeof stores,
  RpcCounter
>;
const image = await seedImage(stores.writer, keys);

const stamps = {
  asked: new Map<string, number>(),
  written: new Map<string, number>(),
  seen: new Map<string, number>(),
  driver: new Map<string, number>(),
  running: new Map<string, number>(),
};

const t0 = performance.now();
const fleet = new SimulatedHostFleet({
  store: stores.hosts,
  prefix,
  log,
  leaseTtlSeconds: 60,
  reconcileIntervalMs: 600_000,
  maxTxnOps: 4096,
  hosts: Array.from({ length: HOSTS }, (_, i) => {
    const driver = new FakeDriver();
    driver.onCall = (op, vmId) => {
      if (op === 'define') stamps.driver.set(vmId, performance.now());
    };
    return { hostname: `sim-${String(i).padStart(4, '0')}`, driver, images: new MemoryImageStore() };
  }),
});
fleet.onDispatch = (_host, req) => {
  if (req.kind === 'build') stamps.seen.set(req.vmId, performance.now());
};
for (const w of fleet.workers.values())
  w.onOutcome = (req, outcome) => {
    if (req.kind === 'build' && outcome === 'done') stamps.running.set(req.vmId, performance.now());
  };
await fleet.start();
console.log(`${HOSTS} simulated hosts registered and reconciled in ${ms(performance.now() - t0)}`);

const placedAt: { t: number; n: number }[] = [];
async function startScheduler(id: string): Promise<Scheduler> {
  const scheduler = new Scheduler(
    stores.scheduler,
    {
      prefix,
      schedulerId: id,
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
  scheduler.onBatch = (r) => placedAt.push({ t: performance.now(), n: r.placed + r.unresourced });
  scheduler.start();
  while (!scheduler.isLeader) await sleep(1);
  return scheduler;
}
let scheduler = await startScheduler('bench-1');

let failedWrites = 0;
async function request(): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!isNuboError(err, 'NUBO_STORE_UNAVAILABLE')) throw err;
    failedWrites++; // etcd too slow for the offered load: counted, not retried
  }
}

async function write(): Promise<void> {
  const t = performance.now();
  const shape = { imageId: image.id, cpus: 1, ramMiB: 512, diskGiB: 10 };
  // A random MAC (24 bits) collides now and then among thousands of VMs: the API retries, so do we.
  const vm = await createVmOneTxn(stores.writer, keys, shape).catch((err) => {
    if (!(err instanceof ConflictError)) throw err;
    return createVmOneTxn(stores.writer, keys, shape);
  });
  stamps.asked.set(vm.id, t);
  stamps.written.set(vm.id, performance.now());
}

async function until(n: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (stamps.running.size < n && Date.now() < deadline) await sleep(5);
}

// Phase 1: a steady offered load, for latency.
const steady = RATE * SECONDS;
const perTick = Math.max(1, Math.round(RATE / 100));
const writes: Promise<void>[] = [];
const start1 = performance.now();
for (let sent = 0; sent < steady; sent += perTick) {
  const wait = start1 + (sent / RATE) * 1000 - performance.now();
  if (wait > 0) await sleep(wait);
  for (let k = 0; k < perTick && sent + k < steady; k++) writes.push(request());
}
await Promise.all(writes);
await until(steady - failedWrites);
const offeredSeconds = (performance.now() - start1) / 1000;
const lat = {
  toDriver: between(stamps.asked, stamps.driver),
  toRunning: between(stamps.asked, stamps.running),
  write: between(stamps.asked, stamps.written),
  place: between(stamps.written, stamps.seen),
  claim: between(stamps.seen, stamps.driver),
  finish: between(stamps.driver, stamps.running),
};
const steadyRunning = stamps.running.size;

// Phase 2: throughput. With no scheduler running, WRITERS creates in flight write BURST
// requests; then a new scheduler leads and places the backlog while the hosts build it.
await scheduler.stop();
const failedBefore = failedWrites;
const writeStart = performance.now();
const writeRpc = counters.writer.snapshot();
await limited(BURST, WRITERS, () => request());
const writeSeconds = (performance.now() - writeStart) / 1000;
const writeInFlight = counters.writer.since(writeRpc).meanInFlight;
const rpcBefore = Object.fromEntries(Object.entries(counters).map(([k, c]) => [k, c.snapshot()]));
const cpuBefore = { node: process.cpuUsage(), etcd: cpuSeconds(etcdPid) };
const placedBefore = placedAt.length;
const start2 = performance.now();
scheduler = await startScheduler('bench-2');
const led = performance.now();
await until(steadyRunning + BURST - (failedWrites - failedBefore));
const end2 = performance.now();
const burstSeconds = (end2 - start2) / 1000;
const burstBatches = placedAt.slice(placedBefore);
const placed = burstBatches.reduce((a, b) => a + b.n, 0);
const placeSeconds = ((burstBatches.at(-1)?.t ?? end2) - start2) / 1000;
const nodeCpu = process.cpuUsage(cpuBefore.node);
const etcdCpu = cpuSeconds(etcdPid) - cpuBefore.etcd;
const rpc = Object.fromEntries(Object.entries(counters).map(([k, c]) => [k, c.since(rpcBefore[k]!)]));
const inFlight = Object.values(rpc).reduce((a, r) => a + r.meanInFlight, 0);

// The anchor: raw etcd at the writer's concurrency, at 64 (the recipe's figure) and at 1.
const anchorStore = new Store({ endpoints: etcd.endpoints });
const concurrency = Math.max(1, Math.round(writeInFlight));
const raw = await rawPutsPerSecond(anchorStore, prefix, concurrency, 3000);
const raw64 = await rawPutsPerSecond(anchorStore, prefix, 64, 3000);
const raw1 = await rawPutsPerSecond(anchorStore, prefix, 1, 2000);

const line = (label: string, v: number[]) =>
  console.log(`  ${label.padEnd(34)} p50 ${ms(pct(v, 50)).padStart(9)}  p99 ${ms(pct(v, 99)).padStart(9)}`);
console.log(
  `\nmachine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${loadAverage()}`,
);
console.log(
  `steady: ${steady} VMs offered at ${RATE}/s over ${offeredSeconds.toFixed(1)} s, ${lat.toRunning.length} running`,
);
line('request → driver call (≤ 50 ms)', lat.toDriver);
line('request → running', lat.toRunning);
line('  writer (API create txn)', lat.write);
line('  written → host sees request', lat.place);
line('  host: claim + spec → driver call', lat.claim);
line('  driver call → running (finish)', lat.finish);
console.log(
  `backlog: ${BURST} creates written in ${writeSeconds.toFixed(2)} s with no scheduler (${(BURST / writeSeconds).toFixed(0)}/s, ${WRITERS} in flight)`,
);
console.log(
  `  placements/s: ${(placed / placeSeconds).toFixed(0)} (≥ 1,000): ${placed} in ${placeSeconds.toFixed(2)} s from the new leader's start (${ms(led - start2)} to lead), ${burstBatches.length} batches`,
);
console.log(
  `  running/s:    ${(BURST / burstSeconds).toFixed(0)} (all running after ${burstSeconds.toFixed(2)} s)`,
);
const total = Object.values(rpc).reduce((a, r) => a + r.calls, 0);
console.log(
  `  etcd round-trips per VM: ${(total / BURST).toFixed(2)} = ${Object.entries(rpc)
    .map(([k, r]) => `${k} ${(r.calls / BURST).toFixed(2)}`)
    .join(' + ')}; ${inFlight.toFixed(0)} in flight on average`,
);
console.log(
  `  round-trips/s: ${(total / burstSeconds).toFixed(0)}; CPU per VM: node ${((nodeCpu.user + nodeCpu.system) / 1e3 / BURST).toFixed(2)} ms, etcd ${((etcdCpu * 1e3) / BURST).toFixed(2)} ms`,
);
if (failedWrites > 0)
  console.log(`creates that hit the call deadline (counted, not retried): ${failedWrites}`);
console.log(
  `anchor: raw etcd single-key puts/s: ${raw.rate.toFixed(0)} at ${concurrency} in flight (the writer's), p50/p99 ${ms(raw.p50)} / ${ms(raw.p99)}; ${raw64.rate.toFixed(0)} at 64, p50/p99 ${ms(raw64.p50)} / ${ms(raw64.p99)}; ${raw1.rate.toFixed(0)} at 1, p50/p99 ${ms(raw1.p50)} / ${ms(raw1.p99)}`,
);

await scheduler.stop();
await fleet.stop({ revoke: true });
await stores.writer.deletePrefix(prefix);
for (const s of [...Object.values(stores), anchorStore]) await s.close();
await etcd.dispose();
process.exit(0);
