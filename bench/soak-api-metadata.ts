// Soak: the API (over HTTP) and the metadata service (inject, from a VM's
// address) at a steady rate for a bounded time, with heap and RSS sampled
// after a GC. Memory must level off: the last third of the run may not sit
// much above the first third after warm-up.
// Run: node --expose-gc --import tsx bench/soak-api-metadata.ts  (NUBO_SOAK_SECONDS, NUBO_SOAK_RATE)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApi, createUserWithToken, loadApiConfig } from '@nubo/api';
import { scrubOnce } from '@nubo/lifecycle';
import { buildMetadataApp, IndexFeed, VmIndex } from '@nubo/metadata';
import { createLogger, keyLayout, macToEui64, Store, type Vm } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';

const SECONDS = Number(process.env.NUBO_SOAK_SECONDS ?? 120);
const RATE = Number(process.env.NUBO_SOAK_RATE ?? 200); // requests per second, half to each service
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl soak';

const etcd = await EtcdCluster.start();
const store = new Store({ endpoints: etcd.endpoints });
const keys = keyLayout(uniquePrefix('soak'));
const dir = await mkdtemp(join(tmpdir(), 'nubo-soak-'));
const config = loadApiConfig({ etcdEndpoints: etcd.endpoints, prefix: keys.prefix, fileStoreDir: dir }, {});
const api = await buildApi({ store, keys, config, logger: createLogger('api', { level: 'silent' }) });
const url = await api.listen({ host: '127.0.0.1', port: 0 });
const admin = await createUserWithToken(store, keys, { name: 'admin', role: 'admin' });
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${admin.secret}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
};
// Grace 0 and a scrub pass every SCRUB_EVERY_MS (the lifecycle daemon's loop, made
// frequent): a deleted key leaves the scrub queue at the next pass, as it would
// after its grace period in a region. Without it the churn is data, not a leak.
const SCRUB_EVERY_MS = Number(process.env.NUBO_SOAK_SCRUB_MS ?? 10_000);
const project = (await call('POST', '/v1/projects', { name: 'soak', graceDays: 0 })).body.project
  .id as string;
const network = (await call('POST', `/v1/projects/${project}/networks`, { name: 'net' })).body.network;

// A running VM for the metadata service to answer.
const mac = '52:54:00:50:00:01';
const now = new Date().toISOString();
const vm: Vm = {
  ...{ id: crypto.randomUUID(), projectId: project, name: 'soak-vm', cpus: 1, ramMiB: 512, diskGiB: 1 },
  imageId: crypto.randomUUID(),
  nics: [{ networkId: network.id, mac, ipv6: macToEui64(mac, network.ipv6Prefix) }],
  ...{ sshKeyIds: [], state: 'running', host: 'h1', createdAt: now, updatedAt: now },
};
await store.put(keys.vms.one(vm.id), vm);
const index = new VmIndex(keys);
const feed = new IndexFeed(store, keys, index);
await feed.ready;
const metadata = buildMetadataApp({ index });

let n = 0;
const counts = { api: 0, metadata: 0, errors: 0 };
/** One request: mostly reads, and an SSH key made and removed (write churn that the scrub pass clears). */
async function oneApi(): Promise<void> {
  const i = n++ % 10;
  const res =
    i < 8
      ? await call('GET', i % 2 ? `/v1/projects/${project}/vms` : `/v1/projects/${project}`)
      : await call('POST', `/v1/projects/${project}/ssh-keys`, { name: `k${n}`, publicKey: KEY });
  if (i >= 8 && res.status === 201)
    await call('DELETE', `/v1/projects/${project}/ssh-keys/${res.body.sshKey?.id ?? res.body.key?.id}`);
  counts.api++;
  if (res.status >= 400) counts.errors++;
}
async function oneMetadata(): Promise<void> {
  const res = await metadata.inject({ method: 'GET', url: '/v1/instance', remoteAddress: vm.nics[0]!.ipv6 });
  counts.metadata++;
  if (res.statusCode !== 200) counts.errors++;
}

const samples: { t: number; heapMiB: number; rssMiB: number }[] = [];
const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.warn('run with --expose-gc for heap figures after a collection');
const t0 = Date.now();
const sampler = setInterval(() => {
  gc?.();
  const m = process.memoryUsage();
  samples.push({ t: Math.round((Date.now() - t0) / 1000), heapMiB: mib(m.heapUsed), rssMiB: mib(m.rss) });
}, 5000);
let scrubbed = 0;
const scrubber = setInterval(() => {
  scrubOnce(store, keys).then(
    (r) => {
      scrubbed += r.sshKeys.length;
    },
    () => {
      counts.errors++;
    },
  );
}, SCRUB_EVERY_MS);

// A steady rate: a tick every 10 ms starts RATE/100 requests, whatever the previous ones are doing.
const inFlight = new Set<Promise<void>>();
while (Date.now() - t0 < SECONDS * 1000) {
  for (let k = 0; k < RATE / 100; k++) {
    const p = (k % 2 ? oneMetadata() : oneApi()).catch(() => void counts.errors++);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await sleep(10);
}
await Promise.all(inFlight);
clearInterval(sampler);
clearInterval(scrubber);

const warm = samples.filter((s) => s.t >= 15);
const third = Math.max(1, Math.floor(warm.length / 3));
const avg = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
const first = warm.slice(0, third);
const last = warm.slice(-third);
const result = {
  seconds: SECONDS,
  targetRate: RATE,
  achievedRate: Math.round((counts.api + counts.metadata) / SECONDS),
  ...counts,
  sshKeysScrubbed: scrubbed,
  heapFirstThirdMiB: avg(first.map((s) => s.heapMiB)),
  heapLastThirdMiB: avg(last.map((s) => s.heapMiB)),
  rssFirstThirdMiB: avg(first.map((s) => s.rssMiB)),
  rssLastThirdMiB: avg(last.map((s) => s.rssMiB)),
  heapMaxMiB: Math.max(...samples.map((s) => s.heapMiB)),
};
console.log(JSON.stringify(samples));
console.log(`soak (anchor: heap in the first third after warm-up): ${JSON.stringify(result)}`);

await metadata.close();
await feed.stop();
await api.close();
await store.deletePrefix(keys.prefix);
await store.close();
await etcd.dispose();
await rm(dir, { recursive: true, force: true });
