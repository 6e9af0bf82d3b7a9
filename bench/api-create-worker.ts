// One API copy for bench/api-create.ts, in its own process (the API is
// stateless: copies share nothing but etcd). Logs at info, as in production,
// into /dev/null. Answers the parent (worker-ipc.ts): its port, and its CPU time.
import { createWriteStream, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { buildApi, loadApiConfig } from '@nubo/api';
import { createLogger, keyLayout, Store } from '@nubo/shared';
import { serve } from './worker-ipc.js';

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
let cpuAt = process.cpuUsage();
const profileDir = process.env.BENCH_CPU_PROF;
const inspector = profileDir ? new Session() : undefined;
serve({
  port: () => (app.server.address() as { port: number }).port,
  cpuStart: async () => {
    if (inspector) {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    }
    cpuAt = process.cpuUsage();
  },
  cpu: async () => {
    const used = process.cpuUsage(cpuAt);
    if (inspector) {
      const { profile } = await inspector.post('Profiler.stop');
      writeFileSync(`${profileDir}/api-${process.pid}.cpuprofile`, JSON.stringify(profile));
    }
    const reads = (await app.inject({ method: 'GET', url: '/metrics' })).body.match(
      /^nubo_api_vm_create_etcd_reads_total (\d+)/m,
    );
    return { cpuMs: (used.user + used.system) / 1000, etcdReads: Number(reads?.[1] ?? 0) };
  },
  stop: async () => {
    await app.close();
    await store.close();
    setImmediate(() => process.exit(0));
  },
});
