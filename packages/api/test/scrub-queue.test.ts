import { scrubOnce } from '@nubo/lifecycle';
import { Network, Project, SshKey, Vm } from '@nubo/shared';
import { EtcdCluster, ed25519KeyPair } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;
let t: { token: string; project: string };
let mallory: { token: string; project: string };
const DAY = 86_400_000;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  await api.publicImage();
  t = await api.tenant('alice');
  mallory = await api.tenant('mallory');
  // Alice's project keeps deleted resources for 3 days.
  await api.store.update(api.keys.projects.one(t.project), Project, (p) => ({
    ...p,
    graceDays: 3,
  }));
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

const p = () => `/v1/projects/${t.project}`;

/** Moves a resource's grace period into the past, as if the days had gone by. */
async function expire<S extends typeof Network | typeof SshKey | typeof Vm>(key: string, schema: S) {
  await api.store.update(key, schema, (r) => ({
    ...r,
    scrubAfter: new Date(Date.now() - 1000).toISOString(),
  }));
}

describe('SSH keys in the scrub queue', () => {
  it('waits for the grace period, is not given to new VMs, restores, and is refused after the grace period', async () => {
    const pub = ed25519KeyPair().public;
    const key = (await api.call('POST', `${p()}/ssh-keys`, t.token, { name: 'k1', publicKey: pub })).body
      .sshKey;
    const started = Date.now();
    expect((await api.call('DELETE', `${p()}/ssh-keys/${key.id}`, t.token)).status).toBe(204);
    const queued = (await api.store.get(api.keys.sshKeys.one(t.project, key.id), SshKey))!.value;
    expect(queued.state).toBe('scrub_queue');
    const grace = Date.parse(queued.scrubAfter!) - Date.parse(queued.deletedAt!);
    expect(grace).toBe(3 * DAY);
    expect(Date.parse(queued.deletedAt!)).toBeGreaterThanOrEqual(started - 1000);
    // A deleted key is not handed to a new VM.
    const vm = await api.call('POST', `${p()}/vms`, t.token, {
      name: 'v',
      cpus: 1,
      ram: 512,
      disk: '1G',
      image: 'tiny',
      sshKeys: ['k1'],
    });
    expect(vm.body.error).toMatchObject({ code: 'NUBO_VALIDATION', details: [{ field: '/sshKeys/0' }] });
    expect((await api.call('DELETE', `${p()}/ssh-keys/${key.id}`, t.token)).body.error.code).toBe(
      'NUBO_INVALID_TRANSITION',
    );
    // Another tenant cannot restore it.
    expect(
      (await api.call('POST', `/v1/projects/${t.project}/ssh-keys/${key.id}/restore`, mallory.token)).status,
    ).toBe(404);
    const restored = await api.call('POST', `${p()}/ssh-keys/${key.id}/restore`, t.token);
    expect(restored.status).toBe(200);
    expect(restored.body.sshKey.state).toBe('active');
    expect(restored.body.sshKey.scrubAfter).toBeUndefined();
    expect((await api.call('POST', `${p()}/ssh-keys/${key.id}/restore`, t.token)).body.error.code).toBe(
      'NUBO_INVALID_TRANSITION',
    );
    await api.call('DELETE', `${p()}/ssh-keys/${key.id}`, t.token);
    await expire(api.keys.sshKeys.one(t.project, key.id), SshKey);
    const late = await api.call('POST', `${p()}/ssh-keys/${key.id}/restore`, t.token);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: 'NUBO_GRACE_EXPIRED',
      details: [{ field: '/scrubAfter' }],
    });
    // The lifecycle's scrub loop then removes it with its name.
    const report = await scrubOnce(api.store, api.keys, new Date());
    expect(report.sshKeys).toContain(key.id);
    expect(await api.store.get(api.keys.names.one('ssh-keys', t.project, 'k1'))).toBeUndefined();
    expect((await api.call('POST', `${p()}/ssh-keys`, t.token, { name: 'k1', publicKey: pub })).status).toBe(
      201,
    );
  });
});

describe('networks in the scrub queue', () => {
  it('a live VM holds its network; a deleted VM does not, but restoring it needs the network back first', async () => {
    const net = (await api.call('POST', `${p()}/networks`, t.token, { name: 'lan' })).body.network;
    const vm = (
      await api.call('POST', `${p()}/vms`, t.token, {
        name: 'w',
        cpus: 1,
        ram: 512,
        disk: '1G',
        image: 'tiny',
        networks: [net.id],
      })
    ).body.vm;
    const busy = await api.call('DELETE', `${p()}/networks/${net.id}`, t.token);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('NUBO_IN_USE');
    expect(busy.body.error.message).toContain('w');
    expect((await api.call('GET', `${p()}/networks/${net.id}`, t.token)).body.network).not.toHaveProperty(
      'deletedAt',
    );

    expect((await api.call('DELETE', `${p()}/vms/${vm.id}`, t.token)).status).toBe(202);
    expect((await api.call('DELETE', `${p()}/networks/${net.id}`, t.token)).status).toBe(204);
    const queued = (await api.call('GET', `${p()}/networks/${net.id}`, t.token)).body.network;
    expect(queued).toMatchObject({ state: 'scrub_queue' });
    expect(Date.parse(queued.scrubAfter) - Date.parse(queued.deletedAt)).toBe(3 * DAY);
    // New VMs cannot use it.
    const onDeleted = await api.call('POST', `${p()}/vms`, t.token, {
      name: 'x',
      cpus: 1,
      ram: 512,
      disk: '1G',
      image: 'tiny',
      networks: [net.id],
    });
    expect(onDeleted.body.error.details[0].field).toBe('/networks/0');

    const before = (await api.store.get(api.keys.vms.one(vm.id), Vm))!;
    const refused = await api.call('POST', `${p()}/vms/${vm.id}/restore`, t.token);
    expect(refused.body.error).toMatchObject({
      code: 'NUBO_INVALID_TRANSITION',
      details: [{ field: '/nics/0/networkId' }],
    });
    expect((await api.store.get(api.keys.vms.one(vm.id), Vm))!.modRevision).toBe(before.modRevision);

    expect((await api.call('POST', `${p()}/networks/${net.id}/restore`, t.token)).body.network.state).toBe(
      'active',
    );
    const back = await api.call('POST', `${p()}/vms/${vm.id}/restore`, t.token);
    expect(back.status).toBe(202);
    // The lifecycle's restore: no host yet, so placed again; grace fields cleared.
    expect(back.body.vm).toMatchObject({ state: 'requested', reason: 'restored' });
    expect(back.body.vm.scrubAfter).toBeUndefined();
  });

  it('is refused after the grace period, then scrubbed with its /64, segment and name', async () => {
    const net = (await api.call('POST', `${p()}/networks`, t.token, { name: 'old' })).body.network;
    await api.call('DELETE', `${p()}/networks/${net.id}`, t.token);
    await expire(api.keys.networks.one(net.id), Network);
    const late = await api.call('POST', `${p()}/networks/${net.id}/restore`, t.token);
    expect(late.body.error.code).toBe('NUBO_GRACE_EXPIRED');
    const report = await scrubOnce(api.store, api.keys, new Date());
    expect(report.networks).toEqual([net.id]);
    for (const key of [
      api.keys.networks.one(net.id),
      api.keys.networkPrefixes.one(net.ipv6Prefix),
      api.keys.segments.one(net.segment),
      api.keys.names.one('networks', t.project, 'old'),
    ]) {
      expect(await api.store.get(key), key).toBeUndefined();
    }
    expect((await api.call('GET', `${p()}/networks/${net.id}`, t.token)).status).toBe(404);
  });
});
