// One API copy for bench/api-create.ts, in its own process (the API is
// stateless: copies share nothing but etcd). Logs at info, as in production,
// into /dev/null. Tells the parent its port, and on request its CPU time.
import { createWriteStream } from 'node:fs';
import { buildApi, loadApiConfig } from '@nubo/api';
import { createLogger, keyLayout, Store } from '@nubo/shared';

const endpoints = (process.env.BENCH_ETCD ?? '').split(',');
const keys = keyLayout(process.env.BENCH_PREFIX ?? '/bench/');
const store = new Store({ endpoints });
const config = loadApiConfig(
  { etcdEndpoints: endpoints, prefix: keys.prefix, fileStoreDir: '/tmp/nubo-bench-files' },
  {},
);
const logger = createLogger('api', { level: 'info', destination: createWriteStream('/dev/null') });
const app = await buildApi({ store, keys, config, logger });
await app.listen({ host: '127.0.0.1', port: 0 });
// Let the watched caches list before the load starts.
await new Promise((r) => setTimeout(r, 500));
process.send?.({ port: (app.server.address() as { port: number }).port });
let cpuAt = process.cpuUsage();
process.on('message', async (msg: { cmd: string }) => {
  if (msg.cmd === 'cpu-start') cpuAt = process.cpuUsage();
  if (msg.cmd === 'cpu') {
    const used = process.cpuUsage(cpuAt);
    const reads = (await app.inject({ method: 'GET', url: '/metrics' })).body.match(
      /^nubo_api_vm_create_etcd_reads_total (\d+)/m,
    );
    process.send?.({ cpuMs: (used.user + used.system) / 1000, etcdReads: Number(reads?.[1] ?? 0) });
  }
  if (msg.cmd === 'stop') {
    await app.close();
    await store.close();
    process.exit(0);
  }
});
