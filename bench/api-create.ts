// Benchmark: VM creates per second and latency of `POST /v1/projects/:p/vms`
// over HTTP against a real etcd (the test harness's). Target: >= 1,000
// creates/s and p99 <= 20 ms. Measured side by side in one run:
//   1. the anchor: raw etcd transactions of the same size and shape as a
//      create's (same compares and puts), at the same concurrency, from one
//      client: etcd's own limit on this machine;
//   2. one API process;
//   3. two API processes (the API is stateless; each project's requests go
//      to one copy, as a load balancer hashing on the path would send them).
// The load comes from this process; each API copy reports its own CPU.
// Run: node --import tsx bench/api-create.ts
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { buildApi, createUserWithToken, loadApiConfig } from '@nubo/api';
import { createLogger, type Keys, keyLayout, randomMac, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '../test/harness/index.js';

const TOTAL = Number(process.env.BENCH_CREATES ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 32);
const IMAGE_ID = '00000000-0000-4000-8000-000000000001';
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

interface Tenant {
  token: string;
  project: string;
  net: string;
}

interface Result {
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  failures: number;
}

function post(
  port: number,
  path: string,
  token: string,
  body: unknown,
): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `op(i)` TOTAL times with CONCURRENCY in flight; op returns false on a failure. */
async function drive(total: number, op: (i: number) => Promise<boolean>): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const started = performance.now();
      if (!(await op(i))) failures++;
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { perSecond: total / seconds, p50: pct(50), p99: pct(99), max: pct(100), failures };
}

/** Users, projects with a large quota, a network each, and a public image, made through an in-process API. */
async function seed(store: Store, keys: Keys, endpoints: string[]): Promise<Tenant[]> {
  const config = loadApiConfig(
    { etcdEndpoints: endpoints, prefix: keys.prefix, fileStoreDir: '/tmp/nubo-bench-files' },
    {},
  );
  const app = await buildApi({ store, keys, config, logger: createLogger('api', { level: 'silent' }) });
  const call = async (method: 'POST' | 'PUT', url: string, token: string, payload: object) =>
    JSON.parse(
      (await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload })).body,
    );
  const admin = await createUserWithToken(store, keys, { name: 'admin', role: 'admin' });
  await store.put(keys.images.one(IMAGE_ID), {
    id: IMAGE_ID,
    name: 'tiny',
    format: 'raw',
    source: 'public/tiny.raw',
    sizeBytes: 1,
    hypervisors: ['fake'],
    state: 'ready',
    createdAt: new Date().toISOString(),
  });
  await store.put(keys.names.one('images', 'public', 'tiny'), IMAGE_ID);
  const tenants: Tenant[] = [];
  for (let i = 0; i < PROJECTS; i++) {
    const user = await call('POST', '/v1/users', admin.secret, { name: `u${i}` });
    const project = (await call('POST', '/v1/projects', user.token, { name: `p${i}` })).project.id;
    const quota = { vms: 100_000, cpus: 1_000_000, ram: '100TiB', disk: '1000TiB' };
    const set = await call('PUT', `/v1/projects/${project}/quota`, admin.secret, quota);
    if (set.error) throw new Error(`quota: ${JSON.stringify(set.error)}`);
    const net = (await call('POST', `/v1/projects/${project}/networks`, user.token, { name: 'n' })).network
      .id;
    tenants.push({ token: user.token, project, net });
  }
  await app.close();
  return tenants;
}

/** The anchor: a create's transaction without the API (same compares, same puts, similar sizes). */
async function rawEtcd(store: Store, keys: Keys, tenants: Tenant[]): Promise<Result> {
  const raw = keyLayout(`${keys.prefix}raw/`);
  const vmBody = (id: string, project: string, net: string) => ({
    id,
    projectId: project,
    name: `vm-${id.slice(0, 8)}`,
    cpus: 1,
    ramMiB: 512,
    diskGiB: 1,
    imageId: IMAGE_ID,
    nics: [{ networkId: net, mac: randomMac(), ipv6: 'fd00:6e75:626f:1:5054:ff:fe00:1' }],
    sshKeyIds: [],
    state: 'requested',
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });
  const usage = new Map<string, number>();
  // Creates of one project run one after another, as the API's per-project queue runs them.
  const tails = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(task, task);
    tails.set(
      key,
      run.catch(() => {}),
    );
    return run;
  };
  return drive(TOTAL, (i) => {
    const t = tenants[i % tenants.length]!;
    return serial(t.project, async () => {
      const id = randomUUID();
      const usageKey = raw.quotaUsage.one(t.project);
      // The same compares as a create: project, usage, two image name keys, image, network.
      const txn = store
        .txn()
        .compare(usageKey, usage.get(t.project) ?? 0)
        .mustNotExist(raw.projects.one(t.project))
        .mustNotExist(raw.names.one('images', t.project, 'tiny'))
        .mustNotExist(raw.names.one('images', 'public', 'tiny'))
        .mustNotExist(raw.images.one(IMAGE_ID))
        .mustNotExist(raw.networks.one(t.net))
        .put(usageKey, { vms: i, cpus: i, ramMiB: 512 * i, diskGiB: i })
        .create(raw.vms.one(id), vmBody(id, t.project, t.net))
        .create(raw.vmNames.one(t.project, `vm-${id}`), id)
        .create(raw.macs.one(randomMac()), { vmId: id, networkId: t.net })
        .create(raw.requests.scheduler.one(randomUUID()), {
          id,
          kind: 'place',
          vmId: id,
          createdAt: new Date().toISOString(),
        });
      try {
        usage.set(t.project, await txn.commit());
        return true;
      } catch {
        return false;
      }
    });
  });
}

/** Starts `n` API processes; resolves with their children and ports. */
async function startCopies(n: number, endpoints: string[], prefix: string) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const child = fork(new URL('./api-create-worker.ts', import.meta.url), [], {
        // BENCH_CPU_PROF=<dir>: each copy writes a V8 CPU profile of the measured part there.
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, BENCH_ETCD: endpoints.join(','), BENCH_PREFIX: prefix },
      });
      const port = await new Promise<number>((resolve, reject) => {
        child.once('message', (m: { port: number }) => resolve(m.port));
        child.once('exit', (code) => reject(new Error(`API copy exited with ${code}`)));
      });
      return { child, port };
    }),
  );
}

function ask<T>(child: ChildProcess, cmd: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m: T) => resolve(m));
    child.send({ cmd });
  });
}

/** POST /vms through `copies` API processes; project i always goes to copy i % copies. */
async function throughApi(copies: number, endpoints: string[], keys: Keys, tenants: Tenant[], tag: string) {
  const procs = await startCopies(copies, endpoints, keys.prefix);
  const body = (i: number, t: Tenant) => ({
    name: `${tag}${i}`,
    cpus: 1,
    ram: '512MiB',
    disk: '1GiB',
    image: 'tiny',
    networks: [t.net],
  });
  try {
    // Warm-up (JIT, connections, caches), not counted.
    await Promise.all(
      tenants.map((t, i) =>
        post(procs[i % copies]!.port, `/v1/projects/${t.project}/vms`, t.token, body(i, t)),
      ),
    );
    for (const p of procs) p.child.send({ cmd: 'cpu-start' });
    const clientCpu = process.cpuUsage();
    let firstFailure = true;
    const result = await drive(TOTAL, async (i) => {
      const ti = i % tenants.length;
      const t = tenants[ti]!;
      const res = await post(
        procs[ti % copies]!.port,
        `/v1/projects/${t.project}/vms`,
        t.token,
        body(i + 1000, t),
      );
      if (res.status !== 201 && firstFailure) {
        firstFailure = false;
        console.error('first failure:', res.status, res.text);
      }
      return res.status === 201;
    });
    const client = process.cpuUsage(clientCpu);
    const reports = await Promise.all(
      procs.map((p) => ask<{ cpuMs: number; etcdReads: number }>(p.child, 'cpu')),
    );
    return {
      ...result,
      apiCpuMsPerCreate: reports.reduce((a, r) => a + r.cpuMs, 0) / TOTAL,
      clientCpuMsPerCreate: (client.user + client.system) / 1000 / TOTAL,
      etcdReads: reports.reduce((a, r) => a + r.etcdReads, 0),
    };
  } finally {
    await Promise.all(
      procs.map(
        (p) => new Promise((resolve) => (p.child.once('exit', resolve), p.child.send({ cmd: 'stop' }))),
      ),
    );
  }
}

function line(name: string, r: Result): string {
  const f = (n: number) => n.toFixed(1);
  return `${name.padEnd(28)} ${r.perSecond.toFixed(0).padStart(6)}/s  p50 ${f(r.p50)} ms  p99 ${f(r.p99)} ms  max ${f(r.max)} ms  failed ${r.failures}`;
}

async function main(): Promise<void> {
  const etcd = await EtcdCluster.start();
  const store = new Store({ endpoints: etcd.endpoints });
  const keys = keyLayout(uniquePrefix('bench'));
  try {
    const tenants = await seed(store, keys, etcd.endpoints);
    console.log(
      `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, etcd 3.4 from the test harness; load average at start ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      `${TOTAL} creates per row, ${CONCURRENCY} in flight, ${PROJECTS} projects, 1 NIC each; target >= 1000/s, p99 <= 20 ms`,
    );
    console.log(line('anchor: raw etcd txn', await rawEtcd(store, keys, tenants)));
    for (const copies of [1, 2]) {
      const r = await throughApi(copies, etcd.endpoints, keys, tenants, `c${copies}-`);
      console.log(
        `${line(`API, ${copies} process${copies > 1 ? 'es' : ''}`, r)}  | API CPU ${r.apiCpuMsPerCreate.toFixed(2)} ms/create (${((r.apiCpuMsPerCreate * r.perSecond) / 1000).toFixed(2)} cores busy), client ${r.clientCpuMsPerCreate.toFixed(2)} ms/create, creates that read etcd ${r.etcdReads}`,
      );
    }
    console.log(
      `load average at end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await store.deletePrefix(keys.prefix);
    await store.close();
    await etcd.dispose();
    agent.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
