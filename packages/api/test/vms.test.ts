import { buildApi, loadApiConfig } from '@nubo/api';
import { createLogger, macToEui64, SchedulerRequest, Vm } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;
let image: string;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  image = await api.publicImage();
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

describe('VM create', () => {
  it('writes the VM, its name, MACs, quota usage and a place request in one go', async () => {
    const t = await api.tenant('alice');
    const net = await api.call('POST', `/v1/projects/${t.project}/networks`, t.token, { name: 'net1' });
    const res = await api.call('POST', `/v1/projects/${t.project}/vms`, t.token, {
      name: 'web1',
      cpus: 2,
      ram: '1GiB',
      disk: '10G',
      image: 'tiny',
      networks: [net.body.network.id],
    });
    expect(res.status).toBe(201);
    const vm = res.body.vm as Vm;
    expect(vm).toMatchObject({ state: 'requested', cpus: 2, ramMiB: 1024, diskGiB: 10, imageId: image });
    expect(vm.nics).toHaveLength(1);
    expect(vm.nics[0]!.ipv6).toBe(macToEui64(vm.nics[0]!.mac, net.body.network.ipv6Prefix));
    const k = api.keys;
    expect((await api.store.get(k.vms.one(vm.id), Vm))?.value.state).toBe('requested');
    expect((await api.store.get(k.vmNames.one(t.project, 'web1')))?.value).toBe(vm.id);
    expect((await api.store.get(k.macs.one(vm.nics[0]!.mac)))?.value).toMatchObject({ vmId: vm.id });
    expect((await api.store.get(k.quotaUsage.one(t.project)))?.value).toEqual({
      vms: 1,
      cpus: 2,
      ramMiB: 1024,
      diskGiB: 10,
    });
    const requests = await api.store.list(k.requests.scheduler.prefix, SchedulerRequest);
    expect(requests.entries.map((e) => e.value)).toContainEqual(
      expect.objectContaining({ kind: 'place', vmId: vm.id }),
    );

    const list = await api.call('GET', `/v1/projects/${t.project}/vms`, t.token);
    expect(list.body.vms.map((v: Vm) => v.name)).toEqual(['web1']);
    const show = await api.call('GET', `/v1/projects/${t.project}/vms/${vm.id}`, t.token);
    expect(show.body.vm.id).toBe(vm.id);
  });

  it('refuses a second VM with the same name', async () => {
    const t = await api.tenant('bob');
    const body = { name: 'same', cpus: 1, ram: 512, disk: '1GiB', image: 'tiny' };
    expect((await api.call('POST', `/v1/projects/${t.project}/vms`, t.token, body)).status).toBe(201);
    const again = await api.call('POST', `/v1/projects/${t.project}/vms`, t.token, body);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'NUBO_ALREADY_EXISTS', details: [{ field: '/name' }] });
  });

  it('creates exactly one VM when two creates race for a quota of one', async () => {
    const t = await api.tenant('carol', { vms: 1 });
    const create = (name: string) =>
      api.call('POST', `/v1/projects/${t.project}/vms`, t.token, {
        name,
        cpus: 1,
        ram: 512,
        disk: '1GiB',
        image: 'tiny',
      });
    const results = await Promise.all([create('a'), create('b')]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('NUBO_QUOTA_EXCEEDED');
    const vms = (await api.store.list(api.keys.vms.prefix, Vm)).entries.filter(
      (e) => e.value.projectId === t.project,
    );
    expect(vms).toHaveLength(1);
    expect((await api.store.get(api.keys.quotaUsage.one(t.project)))?.value).toMatchObject({ vms: 1 });
  });

  it('holds the quota across two API copies too', async () => {
    const t = await api.tenant('dave', { vms: 1 });
    const copy = await buildApi({
      store: api.store,
      keys: api.keys,
      config: loadApiConfig({ etcdEndpoints: etcd.endpoints, prefix: api.keys.prefix }, {}),
      logger: createLogger('api-copy', { level: 'silent' }),
    });
    try {
      const body = (name: string) => ({
        method: 'POST' as const,
        url: `/v1/projects/${t.project}/vms`,
        headers: { authorization: `Bearer ${t.token}` },
        payload: { name, cpus: 1, ram: 512, disk: '1GiB', image: 'tiny' },
      });
      const results = await Promise.all([api.app.inject(body('x')), copy.inject(body('y'))]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
      const vms = (await api.store.list(api.keys.vms.prefix, Vm)).entries.filter(
        (e) => e.value.projectId === t.project,
      );
      expect(vms).toHaveLength(1);
    } finally {
      await copy.close();
    }
  });

  it('answers a repeated Idempotency-Key with the first VM', async () => {
    const t = await api.tenant('erin');
    const body = { name: 'idem', cpus: 1, ram: 512, disk: '1GiB', image: 'tiny' };
    const headers = { 'idempotency-key': 'req-123' };
    const first = await api.call('POST', `/v1/projects/${t.project}/vms`, t.token, body, headers);
    const again = await api.call('POST', `/v1/projects/${t.project}/vms`, t.token, body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.vm.id).toBe(first.body.vm.id);
    const concurrent = await Promise.all(
      [1, 2, 3].map(() =>
        api.call(
          'POST',
          `/v1/projects/${t.project}/vms`,
          t.token,
          { ...body, name: 'idem2' },
          { 'idempotency-key': 'k2' },
        ),
      ),
    );
    expect(new Set(concurrent.map((r) => r.body.vm.id)).size).toBe(1);
    const vms = (await api.store.list(api.keys.vms.prefix, Vm)).entries.filter(
      (e) => e.value.projectId === t.project,
    );
    expect(vms).toHaveLength(2);
  });
});
