// Benchmark: VM creates per second and latency of `POST /v1/projects/:p/vms`
// through HTTP against a real etcd (the test harness's). Anchor: ≥ 1,000
// creates/s and p99 ≤ 20 ms. Run: node --import tsx bench/api-create.ts
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { buildApi, createUserWithToken, loadApiConfig } from '@nubo/api';
import { createLogger, keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '../test/harness/index.js';

const TOTAL = Number(process.env.BENCH_CREATES ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 32);
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

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

async function main(): Promise<void> {
  const etcd = await EtcdCluster.start();
  const store = new Store({ endpoints: etcd.endpoints });
  const keys = keyLayout(uniquePrefix('bench'));
  const config = loadApiConfig(
    { etcdEndpoints: etcd.endpoints, prefix: keys.prefix, fileStoreDir: '/tmp/nubo-bench-files' },
    {},
  );
  const app = await buildApi({ store, keys, config, logger: createLogger('api', { level: 'warn' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  try {
    const admin = await createUserWithToken(store, keys, { name: 'admin', role: 'admin' });
    await store.put(keys.images.one('00000000-0000-4000-8000-000000000001'), {
      id: '00000000-0000-4000-8000-000000000001',
      name: 'tiny',
      format: 'raw',
      source: 'public/tiny.raw',
      sizeBytes: 1,
      hypervisors: ['fake'],
      state: 'ready',
      createdAt: new Date().toISOString(),
    });
    await store.put(keys.names.one('images', 'public', 'tiny'), '00000000-0000-4000-8000-000000000001');
    const tenants: { token: string; project: string; net: string }[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      const user = JSON.parse((await post(port, '/v1/users', admin.secret, { name: `u${i}` })).text);
      const project = JSON.parse((await post(port, '/v1/projects', user.token, { name: `p${i}` })).text)
        .project.id;
      await app.inject({
        method: 'PUT',
        url: `/v1/projects/${project}/quota`,
        headers: { authorization: `Bearer ${admin.secret}` },
        payload: { vms: 100_000, cpus: 1e6, ram: '100TiB', disk: '1000TiB' },
      });
      const net = JSON.parse(
        (await post(port, `/v1/projects/${project}/networks`, user.token, { name: 'n' })).text,
      ).network.id;
      tenants.push({ token: user.token, project, net });
    }
    const latencies: number[] = [];
    let next = 0;
    let failures = 0;
    const worker = async () => {
      for (let i = next++; i < TOTAL; i = next++) {
        const t = tenants[i % tenants.length]!;
        const started = performance.now();
        const res = await post(port, `/v1/projects/${t.project}/vms`, t.token, {
          name: `vm${i}`,
          cpus: 1,
          ram: '512MiB',
          disk: '1GiB',
          image: 'tiny',
          networks: [t.net],
        });
        latencies.push(performance.now() - started);
        if (res.status !== 201 && failures++ === 0) console.error(res.status, res.text);
      }
    };
    // Warm up (JIT, connections), then measure.
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()).slice(0, 0));
    const cpuBefore = process.cpuUsage();
    const began = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    const seconds = (performance.now() - began) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
    console.log(
      `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, etcd from the test harness`,
    );
    console.log(
      `POST /v1/projects/:p/vms over HTTP, ${TOTAL} creates, ${CONCURRENCY} in flight, ${PROJECTS} projects, 1 NIC each`,
    );
    console.log(`creates/s: ${(TOTAL / seconds).toFixed(0)}  (anchor: >= 1000)`);
    console.log(`latency ms: p50 ${pct(50)}  p99 ${pct(99)}  max ${pct(100)}  (anchor: p99 <= 20)`);
    console.log(`failed: ${failures}`);
    console.log(
      `API + client process CPU per create: ${((cpu.user + cpu.system) / 1000 / TOTAL).toFixed(2)} ms`,
    );
  } finally {
    await app.close();
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
