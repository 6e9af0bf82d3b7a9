import { Agent, request } from 'node:http';
import { buildApi, loadApiConfig } from '@nubo/api';
import { createLogger, keyLayout, Store } from '@nubo/shared';
import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { describe, expect, it } from 'vitest';

const db = useEtcdStore();

async function api() {
  const keys = keyLayout(uniquePrefix('close'));
  const config = loadApiConfig({ etcdEndpoints: db.etcd.endpoints, prefix: keys.prefix }, {});
  return buildApi({ store: db.store, keys, config, logger: createLogger('api', { level: 'silent' }) });
}

/** Whether `p` settles within `ms` (a hang, not a speed, is what these tests look for). */
async function settles(p: Promise<unknown>, ms = 10_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  const done = p.then(() => true as const);
  const result = await Promise.race([done, late]);
  clearTimeout(timer);
  return result;
}

// Regression: afterAll hooks hung in `api.close()` on a loaded machine. close()
// must end the watched caches whatever they are doing and not wait on etcd.
describe('closing the API', () => {
  it('returns at once while its caches are still listing', async () => {
    const app = await api();
    expect(await settles(app.close())).toBe(true);
  });

  it('returns while its caches sit in idle watches (no change ever arrives)', async () => {
    const app = await api();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await settles(app.close())).toBe(true);
  });

  it('returns while a client holds an idle keep-alive connection', async () => {
    const app = await api();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(await settles(app.close())).toBe(true);
    agent.destroy();
  });

  it('returns when etcd is gone', async () => {
    const dead = new Store({ endpoints: ['http://127.0.0.1:1'] });
    const keys = keyLayout(uniquePrefix('close'));
    const config = loadApiConfig({ etcdEndpoints: ['http://127.0.0.1:1'], prefix: keys.prefix }, {});
    const app = await buildApi({
      store: dead,
      keys,
      config,
      logger: createLogger('api', { level: 'silent' }),
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(await settles(app.close())).toBe(true);
    await dead.close();
  });
});
