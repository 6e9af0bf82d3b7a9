// Benchmark: VM creates per second and latency of `POST /v1/projects/:p/vms`
// over HTTP against a real etcd (the test harness's). Target: >= 1,000
// creates/s and p99 <= 20 ms. Measured side by side in one run:
//   1. the anchor: raw etcd transactions of the same size and shape as a
//      create's (same compares and puts), at the same concurrency, from one
//      client: etcd's own limit on this machine, one transaction per create;
//   2. the same transactions grouped as the API sends them (Store.txn({ grouped })):
//      etcd's limit for the API's way of writing;
//   3. one API process;
//   4. two API processes (the API is stateless; each project's requests go
//      to one copy, as a load balancer hashing on the path would send them).
// The HTTP load is wrk (C, keep-alive, a Lua script giving each request a
// project's token and a new VM name), so the load generator takes little of
// the two cores the API and etcd share; each API copy reports its own CPU.
// Rows for each concurrency in BENCH_CONCURRENCY (default 8,32).
// Run: node --import tsx bench/api-create.ts
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildApi, createUserWithToken, loadApiConfig } from '@nubo/api';
import { createLogger, type Keys, keyLayout, randomMac, Store } from '@nubo/shared';
import { EtcdCluster, requireTool, uniquePrefix } from '../test/harness/index.js';
import { ask, startWorker } from './worker-ipc.js';

const run = promisify(execFile);

/** Creates per anchor row; the API rows run for SECONDS. */
const TOTAL = Number(process.env.BENCH_CREATES ?? 4000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Requests in flight, one set of rows each: `BENCH_CONCURRENCY=8,32`. */
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '8,32').split(',').map(Number);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 32);
const IMAGE_ID = '00000000-0000-4000-8000-000000000001';
const agent = new Agent({ keepAlive: true });

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

/** Runs `op(i)` `total` times with `concurrency` in flight; op returns false on a failure. */
async function drive(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<boolean>,
): Promise<Result> {
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
  await Promise.all(Array.from({ length: concurrency }, worker));
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
async function rawEtcd(
  store: Store,
  keys: Keys,
  tenants: Tenant[],
  concurrency: number,
  grouped: boolean,
): Promise<Result> {
  // Keys of its own per run: each run starts from no usage.
  const raw = keyLayout(`${keys.prefix}raw-${concurrency}-${grouped}/`);
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
  return drive(TOTAL, concurrency, (i) => {
    const t = tenants[i % tenants.length]!;
    return serial(t.project, async () => {
      const id = randomUUID();
      const usageKey = raw.quotaUsage.one(t.project);
      // The same compares as a create: project, usage, two image name keys, image, network.
      const vm = vmBody(id, t.project, t.net);
      const txn = store
        .txn({ grouped })
        .compare(usageKey, usage.get(t.project) ?? 0)
        .mustNotExist(raw.projects.one(t.project))
        .mustNotExist(raw.names.one('images', t.project, 'tiny'))
        .mustNotExist(raw.names.one('images', 'public', 'tiny'))
        .mustNotExist(raw.images.one(IMAGE_ID))
        .mustNotExist(raw.networks.one(t.net))
        .put(usageKey, { vms: i, cpus: i, ramMiB: 512 * i, diskGiB: i })
        .create(raw.vms.one(id), vm)
        .create(raw.vmNames.one(t.project, `vm-${id}`), id)
        .create(raw.macs.one(randomMac()), { vmId: id, networkId: t.net })
        .create(raw.requests.scheduler.one(randomUUID()), {
          id,
          kind: 'place',
          vmId: id,
          createdAt: new Date().toISOString(),
          vm, // as the API's create: the request carries the VM
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
      // BENCH_CPU_PROF=<dir>: each copy writes a V8 CPU profile of the measured part there.
      const child = await startWorker(new URL('./api-create-worker.ts', import.meta.url), {
        BENCH_ETCD: endpoints.join(','),
        BENCH_PREFIX: prefix,
      });
      return { child, port: await ask<number>(child, 'port') };
    }),
  );
}

/** The wrk script: round-robin over the tenants, a new VM name each request, the figures on one line. */
function wrkScript(tenants: Tenant[], tag: string): string {
  const list = tenants.map((t) => `{"${t.token}","${t.project}","${t.net}"}`).join(',');
  return `local tenants = {${list}}
local n = 0
request = function()
  n = n + 1
  local t = tenants[(n % #tenants) + 1]
  local body = '{"name":"${tag}' .. n .. '","cpus":1,"ram":"512MiB","disk":"1GiB","image":"tiny","networks":["' .. t[3] .. '"]}'
  return wrk.format("POST", "/v1/projects/" .. t[2] .. "/vms",
    { ["Authorization"] = "Bearer " .. t[1], ["Content-Type"] = "application/json" }, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %f %f %f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout + e.status))
end
`;
}

/** wrk against one port; latencies in ms. */
async function wrkCreates(
  port: number,
  script: string,
  connections: number,
  seconds: number,
): Promise<Result> {
  const wrk = requireTool('/usr/bin/wrk');
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script];
  const { stdout } = await run(wrk, [...args, `http://127.0.0.1:${port}/`], { maxBuffer: 1 << 20 });
  const m = /RESULT (\d+) (\d+) (\S+) (\S+) (\S+) (\d+)/.exec(stdout);
  if (!m) throw new Error(`wrk printed no result: ${stdout}`);
  const [, requests, micros, p50, p99, max, failures] = m.map(Number) as number[];
  return {
    perSecond: requests! / (micros! / 1e6),
    p50: p50! / 1000,
    p99: p99! / 1000,
    max: max! / 1000,
    failures: failures!,
  };
}

/**
 * POST /vms through `copies` API processes for SECONDS, `concurrency` in flight
 * in all; project i always goes to copy i % copies (one wrk per copy). With
 * two copies the p50 and p99 are the higher of the two.
 */
async function throughApi(
  copies: number,
  concurrency: number,
  endpoints: string[],
  keys: Keys,
  tenants: Tenant[],
  tag: string,
) {
  const procs = await startCopies(copies, endpoints, keys.prefix);
  const work = await mkdtemp(join(tmpdir(), 'nubo-bench-api-'));
  try {
    // One script per copy and phase: VM names must not repeat across the warm-up and the measured run.
    const script = async (c: number, phase: string) => {
      const file = join(work, `copy-${c}-${phase}.lua`);
      await writeFile(
        file,
        wrkScript(
          tenants.filter((_, i) => i % copies === c),
          `${tag}${phase}${c}-`,
        ),
      );
      return file;
    };
    const warm = await Promise.all(procs.map((_, c) => script(c, 'w')));
    const measured = await Promise.all(procs.map((_, c) => script(c, 'm')));
    // Warm-up (JIT, connections, caches), not counted: one create per tenant, then a second of load.
    await Promise.all(
      tenants.map((t, i) =>
        post(procs[i % copies]!.port, `/v1/projects/${t.project}/vms`, t.token, {
          name: `${tag}warm${i}`,
          cpus: 1,
          ram: '512MiB',
          disk: '1GiB',
          image: 'tiny',
          networks: [t.net],
        }),
      ),
    );
    await Promise.all(procs.map((p, c) => wrkCreates(p.port, warm[c]!, 4, 1)));
    await Promise.all(procs.map((p) => ask(p.child, 'cpuStart')));
    const results = await Promise.all(
      procs.map((p, c) => wrkCreates(p.port, measured[c]!, Math.max(1, concurrency / copies), SECONDS)),
    );
    const reports = await Promise.all(
      procs.map((p) => ask<{ cpuMs: number; etcdReads: number }>(p.child, 'cpu')),
    );
    const result: Result = {
      perSecond: results.reduce((a, r) => a + r.perSecond, 0),
      p50: Math.max(...results.map((r) => r.p50)),
      p99: Math.max(...results.map((r) => r.p99)),
      max: Math.max(...results.map((r) => r.max)),
      failures: results.reduce((a, r) => a + r.failures, 0),
    };
    const creates = result.perSecond * SECONDS;
    return {
      ...result,
      apiCpuMsPerCreate: reports.reduce((a, r) => a + r.cpuMs, 0) / creates,
      etcdReads: reports.reduce((a, r) => a + r.etcdReads, 0),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    await Promise.all(
      procs.map((p) => {
        const exited = new Promise((resolve) => p.child.once('exit', resolve));
        return ask(p.child, 'stop').then(() => exited);
      }),
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
      `${PROJECTS} projects, 1 NIC each; anchor ${TOTAL} transactions, API rows ${SECONDS} s of wrk; target >= 1000/s, p99 <= 20 ms`,
    );
    for (const concurrency of CONCURRENCIES) {
      console.log(`${concurrency} in flight:`);
      console.log(line('anchor: raw etcd txn', await rawEtcd(store, keys, tenants, concurrency, false)));
      console.log(line('raw etcd txn, grouped', await rawEtcd(store, keys, tenants, concurrency, true)));
      for (const copies of [1, 2]) {
        const r = await throughApi(
          copies,
          concurrency,
          etcd.endpoints,
          keys,
          tenants,
          `n${concurrency}c${copies}-`,
        );
        console.log(
          `${line(`API, ${copies} process${copies > 1 ? 'es' : ''}`, r)}  | API CPU ${r.apiCpuMsPerCreate.toFixed(2)} ms/create (${((r.apiCpuMsPerCreate * r.perSecond) / 1000).toFixed(2)} cores busy), creates that read etcd ${r.etcdReads}`,
        );
      }
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
