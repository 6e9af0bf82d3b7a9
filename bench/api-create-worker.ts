// One API copy for bench/api-create.ts, in its own process (the API is
// stateless: copies share nothing but etcd). Logs at info, as in production,
// into /dev/null. Tells the parent its port, and on request its CPU time.
import { createWriteStream, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
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
const profileDir = process.env.BENCH_CPU_PROF;
const inspector = profileDir ? new Session() : undefined;
process.on('message', async (msg: { cmd: string }) => {
  if (msg.cmd === 'cpu-start') {
    if (inspector) {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    }
    cpuAt = process.cpuUsage();
  }
  if (msg.cmd === 'cpu') {
    const used = process.cpuUsage(cpuAt);
    if (inspector) {
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(`${profileDir}/api-${process.pid}.cpuprofile`, JSON.stringify(profile));
    }
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
