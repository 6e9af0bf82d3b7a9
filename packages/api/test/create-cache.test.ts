import { loadApiConfig } from '@nubo/api';
import { createLogger, isNuboError, Project, Vm } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiContext, createContext } from '../src/context.js';
import { createMetrics } from '../src/metrics.js';
import { createVm } from '../src/services/vm-create.js';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  await api.publicImage();
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

const vm = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  cpus: 1,
  ram: 512,
  disk: '1GiB',
  image: 'tiny',
  ...extra,
});

// Creates read their references from watched caches; these check that a
// cache that is behind etcd never decides a create on its own.
describe('VM create from watched caches', () => {
  it('uses a network made a moment ago (a cache miss is checked against etcd, not refused)', async () => {
    const t = await api.tenant('nina');
    for (let i = 0; i < 5; i++) {
      const net = await api.call('POST', `/v1/projects/${t.project}/networks`, t.token, { name: `n${i}` });
      const res = await api.call(
        'POST',
        `/v1/projects/${t.project}/vms`,
        t.token,
        vm(`v${i}`, { networks: [net.body.network.id] }),
      );
      expect(res.status).toBe(201);
      expect(res.body.vm.nics[0].networkId).toBe(net.body.network.id);
    }
  });

  it('refuses a create at once after the quota was lowered (the cached project is compared)', async () => {
    const t = await api.tenant('olga', { vms: 5 });
    const p = `/v1/projects/${t.project}`;
    expect((await api.call('POST', `${p}/vms`, t.token, vm('a'))).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      await api.call('PUT', `${p}/quota`, api.adminToken, { vms: 1 + i });
      // Quota now allows exactly the VMs that exist plus 0: the create must be refused.
      await api.call('PUT', `${p}/quota`, api.adminToken, { vms: 1 });
      const res = await api.call('POST', `${p}/vms`, t.token, vm(`b${i}`));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('NUBO_QUOTA_EXCEEDED');
    }
    const vms = (await api.store.list(api.keys.vms.prefix, Vm)).entries.filter(
      (e) => e.value.projectId === t.project,
    );
    expect(vms).toHaveLength(1);
  });

  it('counts quota exactly over many creates in a row (usage remembered after each commit)', async () => {
    const t = await api.tenant('pia', { vms: 7 });
    const p = `/v1/projects/${t.project}`;
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api.call('POST', `${p}/vms`, t.token, vm(`c${i}`))),
    );
    expect(statuses.filter((r) => r.status === 201)).toHaveLength(7);
    expect(statuses.filter((r) => r.status === 409)).toHaveLength(3);
    expect((await api.store.get(api.keys.quotaUsage.one(t.project)))?.value).toMatchObject({ vms: 7 });
  });
});

/** A second API context on the same etcd whose caches are listed, then frozen: as stale as a cache can be. */
async function frozenContext(): Promise<ApiContext> {
  const ctx = createContext(
    {
      store: api.store,
      keys: api.keys,
      config: loadApiConfig({ etcdEndpoints: etcd.endpoints, prefix: api.keys.prefix }, {}),
      logger: createLogger('x', { level: 'silent' }),
    },
    createMetrics(),
  );
  await api.waitFor(async () => Object.values(ctx.cache).every((c) => c.isReady));
  await Promise.all(Object.values(ctx.cache).map((c) => c.stop()));
  return ctx;
}

async function createWith(ctx: ApiContext, projectId: string, input: Record<string, unknown>) {
  const project = (await api.store.get(api.keys.projects.one(projectId), Project))!;
  try {
    return await createVm(ctx, { key: project.key, value: project.value }, vm('frozen', input) as never);
  } catch (err) {
    if (isNuboError(err)) return err;
    throw err;
  }
}

describe('VM create with caches that are behind etcd', () => {
  it('does not trust a stale quota, usage or network: it re-reads etcd and refuses', async () => {
    const t = await api.tenant('quinn', { vms: 3 });
    const p = `/v1/projects/${t.project}`;
    const net = (await api.call('POST', `${p}/networks`, t.token, { name: 'n' })).body.network.id;
    const spare = (await api.call('POST', `${p}/networks`, t.token, { name: 'spare' })).body.network.id;
    const ctx = await frozenContext();
    // After the freeze: another copy uses the quota up, and a network goes away.
    for (const name of ['a', 'b', 'c'])
      expect((await api.call('POST', `${p}/vms`, t.token, vm(name))).status).toBe(201);
    expect((await api.call('DELETE', `${p}/networks/${spare}`, t.token)).status).toBe(204);
    const full = await createWith(ctx, t.project, { networks: [net] });
    expect(isNuboError(full) && full.code).toBe('NUBO_QUOTA_EXCEEDED');
    await api.call('PUT', `${p}/quota`, api.adminToken, { vms: 10 });
    const gone = await createWith(ctx, t.project, { networks: [spare] });
    expect(isNuboError(gone) && gone.details?.[0]?.field).toBe('/networks/0');
    // And with nothing in the way, the stale copy still creates (through etcd).
    const made = await createWith(ctx, t.project, { networks: [net] });
    expect(isNuboError(made) ? made.code : made.replayed).toBe(false);
    expect((await api.store.get(api.keys.quotaUsage.one(t.project)))?.value).toMatchObject({ vms: 4 });
  });

  it('does not trust a stale quota after it was lowered', async () => {
    const t = await api.tenant('rhea', { vms: 5 });
    const p = `/v1/projects/${t.project}`;
    const ctx = await frozenContext();
    await api.call('PUT', `${p}/quota`, api.adminToken, { vms: 0 });
    const res = await createWith(ctx, t.project, {});
    expect(isNuboError(res) && res.code).toBe('NUBO_QUOTA_EXCEEDED');
    expect(
      (await api.store.list(api.keys.vms.prefix, Vm)).entries.some((e) => e.value.projectId === t.project),
    ).toBe(false);
  });
});
