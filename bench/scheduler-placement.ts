// Benchmark: 1,000 simulated hosts (fake driver, one process) and a real etcd.
// Anchors (issue 4): ≥ 1,000 placements/s; p99 request → driver call ≤ 50 ms.
// Run: node --import tsx bench/scheduler-placement.ts [hosts] [rate/s] [seconds] [burst]
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeDriver, HostDaemon, MemoryImageStore } from '@nubo/host';
import { Scheduler } from '@nubo/scheduler';
import { createLogger, keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { createVm, seedImage } from '../test/integration/region-fixture.js';

const [HOSTS, RATE, SECONDS, BURST] = [1000, 1000, 5, 5000].map((d, i) => Number(process.argv[i + 2] ?? d));
const log = createLogger('bench', { level: process.env.NUBO_BENCH_LOG ?? 'silent' });

const etcd = await EtcdCluster.start();
const prefix = uniquePrefix('bench');
const keys = keyLayout(prefix);
const writer = new Store({ endpoints: etcd.endpoints });
const hostStores = Array.from({ length: 4 }, () => new Store({ endpoints: etcd.endpoints }));
const image = await seedImage(writer, keys);

const requested = new Map<string, number>();
const driverCall = new Map<string, number>();
const running = new Map<string, number>();

const daemons: HostDaemon[] = [];
for (let i = 0; i < HOSTS; i += 20) {
  const batch = Array.from({ length: Math.min(20, HOSTS - i) }, (_, j) => {
    const driver = new FakeDriver();
    driver.onCall = (op, vmId) => {
      if (op === 'define') driverCall.set(vmId, performance.now());
    };
    const daemon = new HostDaemon({
      store: hostStores[(i + j) % hostStores.length]!,
      prefix,
      hostname: `sim-${String(i + j).padStart(4, '0')}`,
      driver,
      images: new MemoryImageStore(),
      log,
      leaseTtlSeconds: 60,
      reconcileIntervalMs: 600_000,
    });
    daemon.onOutcome = (req, outcome) => {
      if (req.kind === 'build' && outcome === 'done') running.set(req.vmId, performance.now());
    };
    daemons.push(daemon);
    return daemon.start();
  });
  await Promise.all(batch);
}
console.log(`${HOSTS} simulated hosts registered`);

const schedStore = new Store({ endpoints: etcd.endpoints });
const scheduler = new Scheduler(
  schedStore,
  {
    prefix,
    schedulerId: 'bench',
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
let batches = 0;
let batchSizes = 0;
scheduler.onBatch = (r) => {
  batches++;
  batchSizes += r.placed + r.unresourced;
};
scheduler.start();
while (!scheduler.isLeader) await sleep(10);

async function request(): Promise<void> {
  const t = performance.now();
  const vm = await createVm(writer, keys, { imageId: image.id, cpus: 1, ramMiB: 512, diskGiB: 10 });
  requested.set(vm.id, t);
}

async function until(n: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (running.size < n && Date.now() < deadline) await sleep(5);
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (n: number) => `${n.toFixed(1)} ms`;

// Phase 1: a steady offered load, for latency.
const steady = RATE * SECONDS;
const tick = 10;
const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
const writes: Promise<void>[] = [];
const start1 = performance.now();
for (let sent = 0; sent < steady; sent += perTick) {
  const due = start1 + (sent / RATE) * 1000;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  for (let k = 0; k < perTick && sent + k < steady; k++) writes.push(request());
}
await Promise.all(writes);
await until(steady);
const toDriver = [...driverCall].flatMap(([id, t]) => (requested.has(id) ? [t - requested.get(id)!] : []));
const toRunning = [...running].flatMap(([id, t]) => (requested.has(id) ? [t - requested.get(id)!] : []));
const offeredSeconds = (performance.now() - start1) / 1000;

// Phase 2: a burst, for throughput: requests written as fast as the writer can, placed as fast as the scheduler can.
const before = running.size;
const batchesBefore = batches;
const start2 = performance.now();
const burst: Promise<void>[] = [];
for (let k = 0; k < BURST; k++) {
  burst.push(request());
  if (k % 200 === 199) await sleep(0);
}
await Promise.all(burst);
const written = performance.now();
await until(before + BURST);
const burstSeconds = (performance.now() - start2) / 1000;

console.log(
  `\nmachine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
console.log(
  `steady load: ${steady} VMs offered at ${RATE}/s over ${offeredSeconds.toFixed(1)} s, ${toRunning.length} running`,
);
console.log(
  `  request → driver call: p50 ${ms(pct(toDriver, 50))}, p99 ${ms(pct(toDriver, 99))} (anchor ≤ 50 ms)`,
);
console.log(`  request → running:     p50 ${ms(pct(toRunning, 50))}, p99 ${ms(pct(toRunning, 99))}`);
console.log(
  `burst: ${BURST} VMs written in ${((written - start2) / 1000).toFixed(2)} s, all running after ${burstSeconds.toFixed(2)} s`,
);
console.log(
  `  placements/s: ${(BURST / burstSeconds).toFixed(0)} (anchor ≥ 1,000); ${batches - batchesBefore} batches`,
);
console.log(
  `  all batches: ${batches}, mean ${(batchSizes / Math.max(1, batches)).toFixed(1)} placements per transaction`,
);

await scheduler.stop();
await Promise.all(daemons.map((d) => d.stop({ revoke: true })));
await writer.deletePrefix(prefix);
for (const s of [writer, schedStore, ...hostStores]) await s.close();
await etcd.dispose();
process.exit(0);
