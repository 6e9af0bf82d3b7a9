import { RouterConfig, Vm, validate } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd, { routerDns: ['fd00:53::53'] });
  await api.publicImage();
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

describe("a project's PodNet router", () => {
  it('is written with the project: a unique uplink on subnet 0 of the region prefix, the gateway ::1', async () => {
    const a = await api.tenant('alice');
    const b = await api.tenant('bob');
    const routers = await Promise.all(
      [a.project, b.project].map(
        async (p) => (await api.store.get(api.keys.routers.one(p), RouterConfig))!.value,
      ),
    );
    for (const [i, r] of routers.entries()) {
      expect(() => validate(RouterConfig, r)).not.toThrow();
      expect(r.projectId).toBe([a.project, b.project][i]);
      expect(r.uplinkIpv6).toMatch(/^fd00:6e75:626f:0?:?[0-9a-f:]+\/64$/);
      expect(r).toMatchObject({ gatewayIpv6: 'fd00:6e75:626f::1', dns: ['fd00:53::53'] });
      const address = r.uplinkIpv6.split('/')[0]!;
      expect(address).not.toBe('fd00:6e75:626f::1');
      expect((await api.store.get(api.keys.routerUplinks.one(address)))?.value).toBe(r.projectId);
    }
    expect(routers[0]!.uplinkIpv6).not.toBe(routers[1]!.uplinkIpv6);
  });
});

describe('project delete', () => {
  it('is refused while anything lives in the project, then removes project, usage and router', async () => {
    const t = await api.tenant('carol');
    const other = await api.tenant('dave');
    const p = `/v1/projects/${t.project}`;
    const net = (await api.call('POST', `${p}/networks`, t.token, { name: 'lan' })).body.network;
    const vm = (
      await api.call('POST', `${p}/vms`, t.token, {
        name: 'web',
        cpus: 1,
        ram: 512,
        disk: '1G',
        image: 'tiny',
        networks: [net.id],
      })
    ).body.vm;
    // Not the owner, not a member: 404; a member who is not the owner: 403.
    expect((await api.call('DELETE', p, other.token)).status).toBe(404);
    await api.call('POST', `${p}/members`, t.token, { user: other.userId });
    expect((await api.call('DELETE', p, other.token)).status).toBe(403);
    const before = await api.allKeys();
    const busy = await api.call('DELETE', p, t.token);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('NUBO_IN_USE');
    expect(busy.body.error.details.map((d: { field: string }) => d.field)).toEqual(['/vms', '/networks']);
    expect(await api.allKeys()).toEqual(before);

    await api.call('DELETE', `${p}/vms/${vm.id}`, t.token);
    await api.call('DELETE', `${p}/networks/${net.id}`, t.token);
    const router = (await api.store.get(api.keys.routers.one(t.project), RouterConfig))!.value;
    expect((await api.call('DELETE', p, t.token)).status).toBe(204);
    for (const key of [
      api.keys.projects.one(t.project),
      api.keys.quotaUsage.one(t.project),
      api.keys.routers.one(t.project),
      api.keys.routerUplinks.one(router.uplinkIpv6.split('/')[0]!),
    ]) {
      expect(await api.store.get(key), key).toBeUndefined();
    }
    expect((await api.call('GET', p, t.token)).status).toBe(404);
    // What waits in the scrub queue stays there for the scrub loop.
    expect((await api.store.get(api.keys.vms.one(vm.id), Vm))?.value.state).toBe('scrub_queue');
    expect((await api.call('DELETE', p, api.adminToken)).status).toBe(404);
  });
});

describe('token revoke', () => {
  it('a user revokes their own token; it stops working; others cannot revoke it', async () => {
    const t = await api.tenant('erin');
    const mallory = await api.tenant('mallory');
    const made = await api.call('POST', `/v1/users/${t.userId}/tokens`, t.token);
    expect(made.status).toBe(201);
    const second = made.body.token as string;
    expect((await api.call('GET', '/v1/me', second)).status).toBe(200);
    const url = `/v1/users/${t.userId}/tokens/${made.body.id}`;
    expect((await api.call('DELETE', url, mallory.token)).status).toBe(403);
    expect(
      (await api.call('DELETE', `/v1/users/${t.userId}/tokens/${crypto.randomUUID()}`, t.token)).status,
    ).toBe(404);
    expect((await api.call('DELETE', url, t.token)).status).toBe(204);
    await api.waitFor(async () => (await api.call('GET', '/v1/me', second)).status === 401);
    expect((await api.call('GET', '/v1/me', t.token)).status).toBe(200);
    const list = await api.call('GET', `/v1/users/${t.userId}/tokens`, t.token);
    expect(list.body.tokens.map((k: { id: string }) => k.id)).not.toContain(made.body.id);
    expect((await api.call('DELETE', url, t.token)).status).toBe(404);
  });
});
