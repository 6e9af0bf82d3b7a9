// Benchmark: 1,000 simulated hosts (fake driver, one SimulatedHostFleet) and a real etcd.
// Writer (the API's create), scheduler and hosts run in three processes, as
// the API, the scheduler and the host daemons do in a region; stamps are
// wall-clock (performance.timeOrigin + now), comparable across them.
// Anchors (issue 4): ≥ 1,000 placements/s; p99 request → driver call ≤ 50 ms;
// beside them, raw etcd single-key puts/s at the same concurrency.
// Run: node --import tsx bench/scheduler-placement.ts [hosts] [rate/s] [seconds] [burst]
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, isNuboError, keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { seedImage } from '../test/integration/region-fixture.js';
import { cpuSeconds, etcdPidOf } from './scheduler-cpu.js';
import { between, limited, loadAverage, ms, pct, RpcCounter, rawPutsPerSecond } from './scheduler-probes.js';
import { createVmOneTxn } from './scheduler-writer.js';
import { ask, type EventLoopDelay, eventLoopDelay, startWorker, wallMs } from './worker-ipc.js';

const arg = (i: number, fallback: number): number => Number(process.argv[i + 2] ?? fallback);
const HOSTS = arg(0, 1000);
const RATE = arg(1, 1000);
const SECONDS = arg(2, 5);
const BURST = arg(3, 5000);
const WRITERS = 128;
// BENCH_TICK_MS: how far apart groups of creates are offered (10: ten at a time at 1,000/s; 1: an even stream).
const TICK_MS = Number(process.env.BENCH_TICK_MS ?? 10);
const PER_TICK = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
const STAMP_COLUMNS = ['asked', 'written', 'seen', 'driver', 'running']; // the API's create calls in flight while the backlog is written

// BENCH_ETCD_FLAGS: extra etcd flags, for trying etcd's own settings (space-separated).
const etcdFlags = (process.env.BENCH_ETCD_FLAGS ?? '').split(' ').filter(Boolean);
const etcd = await EtcdCluster.start({ extraArgs: etcdFlags });
const etcdPid = etcdPidOf(etcd.endpoints[0]!);
const prefix = uniquePrefix('bench');
const keys = keyLayout(prefix);
const writer = new Store({ endpoints: etcd.endpoints, faultHandling: 'overload-tolerant' });
const writerRpc = new RpcCounter(writer);
const image = await seedImage(writer, keys);
const env = { BENCH_ETCD: etcd.endpoints.join(','), BENCH_PREFIX: prefix, BENCH_HOSTS: String(HOSTS) };

type Snapshot = { calls: number; inFlightSum: number };
type Cpu = NodeJS.CpuUsage;
const cpuMs = (a: Cpu, b: Cpu) => (b.user - a.user + b.system - a.system) / 1000;
const rpcSince = (a: Snapshot, b: Snapshot) => {
  const calls = b.calls - a.calls;
  return { calls, meanInFlight: calls ? (b.inFlightSum - a.inFlightSum) / calls : 0 };
};

// The hosts, in their own process.
const fleet = await startWorker(new URL('./scheduler-fleet-worker.ts', import.meta.url), env);
let running = 0;
fleet.on('message', (m: { running?: number }) => {
  if (m.running !== undefined) running = m.running;
});
console.log(
  `${HOSTS} simulated hosts registered and reconciled in ${ms(await ask<number>(fleet, 'registered'))}`,
);

// A scheduler, in its own process: booted first, so `lead` times the scheduler, not node's start.
const batches: { t: number; n: number }[] = [];
async function bootScheduler(id: string): Promise<ChildProcess> {
  const child = await startWorker(new URL('./scheduler-worker.ts', import.meta.url), {
    ...env,
    BENCH_SCHEDULER_ID: id,
  });
  child.on('message', (m: { batch?: { t: number; n: number } }) => {
    if (m.batch) batches.push(m.batch);
  });
  return child;
}
const lead = (child: ChildProcess) => ask<{ led: number; placing: number }>(child, 'start');
async function stopWorker(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await ask(child, 'stop');
  await exited;
}
let scheduler = await bootScheduler('bench-1');
await lead(scheduler);

const stamps = { asked: new Map<string, number>(), written: new Map<string, number>() };
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
  const t = wallMs();
  const shape = { imageId: image.id, cpus: 1, ramMiB: 512, diskGiB: 10 };
  // A random MAC (24 bits) collides now and then among thousands of VMs: the API retries, so do we.
  const vm = await createVmOneTxn(writer, keys, shape).catch((err) => {
    if (!(err instanceof ConflictError)) throw err;
    return createVmOneTxn(writer, keys, shape);
  });
  stamps.asked.set(vm.id, t);
  stamps.written.set(vm.id, wallMs());
}

async function until(n: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (running < n && Date.now() < deadline) await sleep(5);
}

/**
 * Offers `count` creates at RATE per second (open loop), TICK_MS apart in
 * groups issued in one turn of the event loop, as creates that reach the API
 * together are; resolves when all are written.
 */
async function offer(count: number): Promise<void> {
  const writes: Promise<void>[] = [];
  const began = performance.now();
  for (let sent = 0; sent < count; sent += PER_TICK) {
    const wait = began + (sent / RATE) * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    for (let k = 0; k < PER_TICK && sent + k < count; k++) writes.push(request());
  }
  await Promise.all(writes);
}

/** CPU and etcd round-trips of every part so far, to be subtracted across a phase. */
const measure = async () => ({
  rpc: {
    writer: writerRpc.snapshot(),
    scheduler: await ask<Snapshot>(scheduler, 'rpc'),
    hosts: await ask<Snapshot>(fleet, 'rpc'),
  },
  cpu: {
    writer: process.cpuUsage(),
    scheduler: await ask<Cpu>(scheduler, 'cpu'),
    hosts: await ask<Cpu>(fleet, 'cpu'),
  },
  etcd: cpuSeconds(etcdPid),
});
type Measure = Awaited<ReturnType<typeof measure>>;
const partNames = ['writer', 'scheduler', 'hosts'] as const;
/** CPU per VM (ms) of each part and of etcd between two measures. */
function cpuPerVm(a: Measure, b: Measure, vms: number): string {
  const parts = partNames.map((k) => `${k} ${(cpuMs(a.cpu[k], b.cpu[k]) / vms).toFixed(2)}`);
  return `${parts.join(', ')}, etcd ${(((b.etcd - a.etcd) * 1e3) / vms).toFixed(2)} ms`;
}

// Warm-up, not counted: one second of the load, so the measured VMs meet
// daemons that have built VMs before (JIT-compiled paths, open streams).
const warmUp = RATE;
await offer(warmUp);
await until(warmUp - failedWrites);
stamps.asked.clear();
stamps.written.clear();

// Phase 1: a steady offered load, for latency, once the scheduler is placing.
const steady = RATE * SECONDS;
const writerDelay = monitorEventLoopDelay({ resolution: 2 });
writerDelay.enable();
await Promise.all([ask(fleet, 'eventLoopReset'), ask(scheduler, 'eventLoopReset')]);
const start1 = performance.now();
const steadyBefore = await measure();
const steadyBatchesBefore = batches.length;
await offer(steady);
await until(warmUp + steady - failedWrites);
const steadyAfter = await measure();
const steadyCpu = cpuPerVm(steadyBefore, steadyAfter, steady);
const steadyBatches = batches.length - steadyBatchesBefore;
const steadyRpc = partNames.map(
  (k) => `${k} ${(steady / rpcSince(steadyBefore.rpc[k], steadyAfter.rpc[k]).calls).toFixed(1)}`,
);
const offeredSeconds = (performance.now() - start1) / 1000;
const delays: Record<string, EventLoopDelay> = {
  writer: eventLoopDelay(writerDelay),
  scheduler: await ask<EventLoopDelay>(scheduler, 'eventLoop'),
  hosts: await ask<EventLoopDelay>(fleet, 'eventLoop'),
};
writerDelay.disable();
const hostStamps = Object.fromEntries(
  Object.entries(await ask<Record<string, [string, number][]>>(fleet, 'stamps')).map(([k, v]) => [
    k,
    new Map(v),
  ]),
) as Record<'seen' | 'driver' | 'running', Map<string, number>>;
// BENCH_STAMPS=<file>: every measured VM's stamps (wall-clock ms), to see when the slow ones happened.
if (process.env.BENCH_STAMPS) {
  const rows = [...stamps.asked.keys()].map((id) => [
    stamps.asked.get(id),
    stamps.written.get(id),
    hostStamps.seen.get(id),
    hostStamps.driver.get(id),
    hostStamps.running.get(id),
  ]);
  await writeFile(process.env.BENCH_STAMPS, JSON.stringify({ columns: STAMP_COLUMNS, rows }));
}
const lat = {
  toDriver: between(stamps.asked, hostStamps.driver),
  toRunning: between(stamps.asked, hostStamps.running),
  write: between(stamps.asked, stamps.written),
  place: between(stamps.written, hostStamps.seen),
  // The hosts' stamps include the warm-up's VMs: only the measured ones count.
  claim: between(hostStamps.seen, hostStamps.driver, stamps.asked),
  finish: between(hostStamps.driver, hostStamps.running, stamps.asked),
};
const steadyRunning = running;

// Phase 2: throughput. With no scheduler running, WRITERS creates in flight write BURST
// requests; then a new scheduler leads and places the backlog while the hosts build it.
await stopWorker(scheduler);
scheduler = await bootScheduler('bench-2');
const failedBefore = failedWrites;
const writeStart = performance.now();
const writeRpc = writerRpc.snapshot();
await limited(BURST, WRITERS, () => request());
const writeSeconds = (performance.now() - writeStart) / 1000;
const writeInFlight = writerRpc.since(writeRpc).meanInFlight;
const before = await measure();
const placedBefore = batches.length;
const start2 = wallMs();
const { led, placing } = await lead(scheduler);
await until(steadyRunning + BURST - (failedWrites - failedBefore));
const end2 = wallMs();
const after = await measure();
const burstSeconds = (end2 - start2) / 1000;
const burstBatches = batches.slice(placedBefore);
const placed = burstBatches.reduce((a, b) => a + b.n, 0);
const placeSeconds = ((burstBatches.at(-1)?.t ?? end2) - start2) / 1000;
const nodeCpuMs = partNames.reduce((a, k) => a + cpuMs(before.cpu[k], after.cpu[k]), 0);
const rpc = Object.fromEntries(partNames.map((k) => [k, rpcSince(before.rpc[k], after.rpc[k])]));
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
  `steady: ${steady} VMs offered at ${RATE}/s, ${PER_TICK} every ${TICK_MS} ms, over ${offeredSeconds.toFixed(1)} s (after ${warmUp} not counted), ${lat.toRunning.length} running`,
);
line('request → driver call (≤ 50 ms)', lat.toDriver);
line('request → running', lat.toRunning);
line('  writer (API create txn)', lat.write);
line('  written → host sees request', lat.place);
line('  host: claim + spec → driver call', lat.claim);
line('  driver call → running (finish)', lat.finish);
console.log(`  CPU per VM: ${steadyCpu}`);
console.log(
  `  VMs per scheduler batch: ${(steady / steadyBatches).toFixed(1)}; VMs per etcd round-trip: ${steadyRpc.join(', ')}`,
);
console.log(
  `  event-loop delay p99 / max: ${Object.entries(delays)
    .map(([k, d]) => `${k} ${ms(d.p99)} / ${ms(d.max)}`)
    .join(', ')}`,
);
console.log(
  `backlog: ${BURST} creates written in ${writeSeconds.toFixed(2)} s with no scheduler (${(BURST / writeSeconds).toFixed(0)}/s, ${WRITERS} in flight)`,
);
console.log(
  `  placements/s: ${(placed / placeSeconds).toFixed(0)} (≥ 1,000): ${placed} in ${placeSeconds.toFixed(2)} s from the new leader's start (${ms(led - start2)} to lead, ${ms(placing - start2)} until placing: view and requests loaded), ${burstBatches.length} batches`,
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
  `  round-trips/s: ${(total / burstSeconds).toFixed(0)}; CPU per VM: node ${(nodeCpuMs / BURST).toFixed(2)} ms (${cpuPerVm(before, after, BURST)})`,
);
if (failedWrites > 0)
  console.log(`creates that hit the call deadline (counted, not retried): ${failedWrites}`);
console.log(
  `anchor: raw etcd single-key puts/s: ${raw.rate.toFixed(0)} at ${concurrency} in flight (the writer's), p50/p99 ${ms(raw.p50)} / ${ms(raw.p99)}; ${raw64.rate.toFixed(0)} at 64, p50/p99 ${ms(raw64.p50)} / ${ms(raw64.p99)}; ${raw1.rate.toFixed(0)} at 1, p50/p99 ${ms(raw1.p50)} / ${ms(raw1.p99)}`,
);

await stopWorker(scheduler);
await stopWorker(fleet);
await writer.deletePrefix(prefix);
for (const s of [writer, anchorStore]) await s.close();
await etcd.dispose();
process.exit(0);
