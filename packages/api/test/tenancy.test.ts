import { Vm } from '@nubo/shared';
import { EtcdCluster, ed25519KeyPair } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/tokens.js';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;
let alice: { token: string; project: string; userId: string };
let mallory: { token: string; project: string; userId: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  await api.publicImage();
  alice = await api.tenant('alice');
  mallory = await api.tenant('mallory');
  const p = `/v1/projects/${alice.project}`;
  const key = ed25519KeyPair().public;
  ids.key = (
    await api.call('POST', `${p}/ssh-keys`, alice.token, { name: 'k', publicKey: key })
  ).body.sshKey.id;
  ids.net = (await api.call('POST', `${p}/networks`, alice.token, { name: 'n' })).body.network.id;
  ids.vm = (
    await api.call('POST', `${p}/vms`, alice.token, {
      name: 'v',
      cpus: 1,
      ram: 512,
      disk: '1G',
      image: 'tiny',
    })
  ).body.vm.id;
  await api.store.update(api.keys.vms.one(ids.vm!), Vm, (v) => ({
    ...v,
    state: 'running' as const,
    host: 'h1',
  }));
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

describe('tenancy', () => {
  it('another project is "not found", exactly like a missing one', async () => {
    const p = `/v1/projects/${alice.project}`;
    for (const [method, url] of [
      ['GET', p],
      ['GET', `${p}/vms`],
      ['GET', `${p}/vms/${ids.vm}`],
      ['POST', `${p}/vms/${ids.vm}/stop`],
      ['DELETE', `${p}/vms/${ids.vm}`],
      ['GET', `${p}/networks/${ids.net}`],
      ['DELETE', `${p}/networks/${ids.net}`],
      ['GET', `${p}/ssh-keys`],
      ['DELETE', `${p}/ssh-keys/${ids.key}`],
      ['GET', `${p}/images`],
      ['GET', `${p}/files`],
    ] as const) {
      const res = await api.call(method, url, mallory.token);
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body.error.code).toBe('NUBO_NOT_FOUND');
    }
    const missing = await api.call('GET', '/v1/projects/00000000-0000-4000-8000-000000000000', mallory.token);
    expect(missing.body).toEqual(
      (await api.call('GET', `/v1/projects/${alice.project}`, mallory.token)).body,
    );
  });

  it("own-project paths cannot reach another project's resources", async () => {
    const p = `/v1/projects/${mallory.project}`;
    expect((await api.call('GET', `${p}/vms/${ids.vm}`, mallory.token)).status).toBe(404);
    expect((await api.call('POST', `${p}/vms/${ids.vm}/stop`, mallory.token)).status).toBe(404);
    expect((await api.call('DELETE', `${p}/ssh-keys/${ids.key}`, mallory.token)).status).toBe(404);
    const create = await api.call('POST', `${p}/vms`, mallory.token, {
      name: 'steal',
      cpus: 1,
      ram: 512,
      disk: '1G',
      image: 'tiny',
      networks: [ids.net],
      sshKeys: [ids.key],
    });
    expect(create.body.error.details[0].field).toBe('/networks/0');
    expect((await api.call('GET', `${p}/vms`, mallory.token)).body.vms).toEqual([]);
    const projects = await api.call('GET', '/v1/projects', mallory.token);
    expect(projects.body.projects.map((x: { id: string }) => x.id)).toEqual([mallory.project]);
    expect((await api.store.get(api.keys.vms.one(ids.vm!), Vm))!.value.state).toBe('running');
  });

  it('a member added to a project sees it; admin-only routes are 403 for members', async () => {
    const bob = await api.tenant('bob');
    expect((await api.call('GET', `/v1/projects/${alice.project}/vms`, bob.token)).status).toBe(404);
    expect(
      (await api.call('POST', `/v1/projects/${alice.project}/members`, bob.token, { user: 'bob' })).status,
    ).toBe(404);
    await api.call('POST', `/v1/projects/${alice.project}/members`, alice.token, { user: 'bob' });
    expect((await api.call('GET', `/v1/projects/${alice.project}/vms`, bob.token)).body.vms).toHaveLength(1);
    for (const [method, url] of [
      ['GET', '/v1/users'],
      ['POST', '/v1/hosts'],
      ['GET', '/v1/hosts'],
      ['PUT', `/v1/projects/${alice.project}/quota`],
      ['POST', `/v1/projects/${alice.project}/vms/${ids.vm}/migrate`],
    ] as const) {
      const body =
        method === 'GET'
          ? undefined
          : method === 'PUT'
            ? { vms: 100 }
            : url.endsWith('migrate')
              ? { host: 'h2' }
              : { name: 'x', hypervisor: 'fake', cpus: 1, ram: 1024, disk: '1G' };
      const res = await api.call(method, url, alice.token, body);
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body.error.code).toBe('NUBO_FORBIDDEN');
    }
  });

  it('no or a wrong token is 401', async () => {
    expect((await api.call('GET', '/v1/me', undefined)).body.error.code).toBe('NUBO_UNAUTHENTICATED');
    expect((await api.call('GET', '/v1/me', 'nubo_wrong')).status).toBe(401);
    expect((await api.call('GET', '/v1/me', alice.token)).body.user.name).toBe('alice');
  });

  it('tokens live only as hashes and never reach responses or logs', async () => {
    const hash = hashSecret(alice.token);
    expect(await api.store.get(api.keys.tokens.one(hash))).toBeDefined();
    const raw = (await api.store.list(api.keys.prefix)).entries
      .map((e) => JSON.stringify(e.value))
      .join('\n');
    expect(raw).not.toContain(alice.token);
    const listed = await api.call('GET', `/v1/users/${alice.userId}/tokens`, alice.token);
    expect(listed.body.tokens).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(hash);
    const logs = api.logs.join('');
    expect(logs).toContain('"url":"/v1/me"');
    expect(logs).not.toContain(alice.token);
    expect(logs).not.toContain(hash);
    expect(logs).not.toMatch(/authorization/i);
  });
});
