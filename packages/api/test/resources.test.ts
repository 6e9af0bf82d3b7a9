import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vm } from '@nubo/shared';
import { EtcdCluster, ed25519KeyPair, requireTool } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;
let t: { token: string; project: string; userId: string };
const octet = { 'content-type': 'application/octet-stream' };

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  await api.publicImage();
  t = await api.tenant('alice');
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

describe('SSH keys', () => {
  it('adds a key with the fingerprint ssh-keygen gives, lists and deletes it', async () => {
    const pub = ed25519KeyPair('me@laptop').public;
    const dir = mkdtempSync(join(tmpdir(), 'nubo-key-'));
    writeFileSync(join(dir, 'k.pub'), pub);
    const expected = execFileSync(requireTool('/usr/bin/ssh-keygen'), ['-lf', join(dir, 'k.pub')], {
      encoding: 'utf8',
    }).split(' ')[1];
    rmSync(dir, { recursive: true });
    const p = `/v1/projects/${t.project}/ssh-keys`;
    const res = await api.call('POST', p, t.token, { name: 'laptop', publicKey: pub });
    expect(res.status).toBe(201);
    expect(res.body.sshKey).toMatchObject({ name: 'laptop', type: 'ssh-ed25519', fingerprint: expected });
    expect((await api.call('POST', p, t.token, { name: 'laptop', publicKey: pub })).body.error.code).toBe(
      'NUBO_ALREADY_EXISTS',
    );
    expect((await api.call('GET', p, t.token)).body.sshKeys).toHaveLength(1);
    expect((await api.call('DELETE', `${p}/${res.body.sshKey.id}`, t.token)).status).toBe(204);
    // Deleted keys wait in the scrub queue (scrub-queue.test.ts).
    expect((await api.call('GET', p, t.token)).body.sshKeys).toMatchObject([{ state: 'scrub_queue' }]);
  });
});

describe('networks', () => {
  it('gives each network its own /64 of the region prefix and a segment', async () => {
    const p = `/v1/projects/${t.project}/networks`;
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call('POST', p, t.token, { name: `n${i}`, ...(i === 0 ? { ipv4Cidr: '10.1.0.0/24' } : {}) }),
      ),
    );
    expect(made.every((r) => r.status === 201)).toBe(true);
    const nets = made.map((r) => r.body.network);
    expect(new Set(nets.map((n) => n.ipv6Prefix)).size).toBe(20);
    expect(new Set(nets.map((n) => n.segment)).size).toBe(20);
    for (const n of nets) expect(n.ipv6Prefix).toMatch(/^fd00:6e75:626f:[0-9a-f]{1,4}::\/64$/);
    expect(nets[0].ipv4Cidr).toBe('10.1.0.0/24');
    expect((await api.store.get(api.keys.networkPrefixes.one(nets[0].ipv6Prefix)))?.value).toBe(nets[0].id);
    expect((await api.call('GET', p, t.token)).body.networks).toHaveLength(20);
    expect((await api.call('GET', `${p}/${nets[1].id}`, t.token)).body.network.name).toBe('n1');
  });

  it('refuses to delete a network a VM uses, and queues it for scrubbing with its index keys once free', async () => {
    const p = `/v1/projects/${t.project}`;
    const net = (await api.call('POST', `${p}/networks`, t.token, { name: 'used' })).body.network;
    const vm = (
      await api.call('POST', `${p}/vms`, t.token, {
        name: 'u',
        cpus: 1,
        ram: 512,
        disk: '1G',
        image: 'tiny',
        networks: [net.id],
      })
    ).body.vm;
    const before = await api.store.get(api.keys.networks.one(net.id));
    const busy = await api.call('DELETE', `${p}/networks/${net.id}`, t.token);
    expect(busy.body.error.code).toBe('NUBO_IN_USE');
    // Refused without a write: not even a value put back as it was.
    expect((await api.store.get(api.keys.networks.one(net.id)))?.modRevision).toBe(before?.modRevision);
    await api.store.update(api.keys.vms.one(vm.id), Vm, (v) => ({ ...v, state: 'closed' as const }));
    expect((await api.call('DELETE', `${p}/networks/${net.id}`, t.token)).status).toBe(204);
    expect((await api.call('GET', `${p}/networks/${net.id}`, t.token)).body.network.state).toBe(
      'scrub_queue',
    );
    // Kept until the scrub loop removes the network, so a restore gets the same /64 and segment back.
    expect((await api.store.get(api.keys.networkPrefixes.one(net.ipv6Prefix)))?.value).toBe(net.id);
    expect((await api.store.get(api.keys.segments.one(net.segment)))?.value).toBe(net.id);
  });
});

describe('a network delete racing VM creates on that network', () => {
  it('never leaves a VM on a network in the scrub queue', async () => {
    const p = `/v1/projects/${t.project}`;
    for (let round = 0; round < 5; round++) {
      const net = (await api.call('POST', `${p}/networks`, t.token, { name: `race${round}` })).body.network;
      const [del, ...creates] = await Promise.all([
        api.call('DELETE', `${p}/networks/${net.id}`, t.token),
        ...[0, 1].map((i) =>
          api.call('POST', `${p}/vms`, t.token, {
            name: `race${round}-${i}`,
            cpus: 1,
            ram: 512,
            disk: '1G',
            image: 'tiny',
            networks: [net.id],
          }),
        ),
      ]);
      const made = creates.filter((c) => c.status === 201).length;
      const state = (await api.call('GET', `${p}/networks/${net.id}`, t.token)).body.network.state;
      if (del.status === 204) expect({ state, made }).toEqual({ state: 'scrub_queue', made: 0 });
      else
        expect({ code: del.body.error.code, state, made: made > 0 }).toEqual({
          code: 'NUBO_IN_USE',
          state: 'active',
          made: true,
        });
      for (const c of creates.filter((c) => c.status === 201))
        await api.store.update(api.keys.vms.one(c.body.vm.id), Vm, (v) => ({
          ...v,
          state: 'closed' as const,
        }));
    }
  });
});

describe('files and images', () => {
  it('uploads a file and makes a ready image with its size and SHA-256', async () => {
    const p = `/v1/projects/${t.project}`;
    const bytes = Buffer.concat([Buffer.from([0x51, 0x46, 0x49, 0xfb]), Buffer.alloc(1020)]);
    expect((await api.call('PUT', `${p}/files/disk.qcow2`, t.token, bytes, octet)).body.file.sizeBytes).toBe(
      1024,
    );
    expect(
      (await api.call('GET', `${p}/files`, t.token)).body.files.map((f: { name: string }) => f.name),
    ).toEqual(['disk.qcow2']);
    const wrong = await api.call('POST', `${p}/images`, t.token, {
      name: 'bad',
      format: 'raw',
      file: 'disk.qcow2',
    });
    expect(wrong.body.error.details[0].field).toBe('/format');
    const missing = await api.call('POST', `${p}/images`, t.token, {
      name: 'bad',
      format: 'raw',
      file: 'none.img',
    });
    expect(missing.body.error.details[0].field).toBe('/file');
    const img = await api.call('POST', `${p}/images`, t.token, {
      name: 'mine',
      format: 'qcow2',
      file: 'disk.qcow2',
    });
    expect(img.status).toBe(201);
    await api.waitFor(
      async () =>
        (await api.call('GET', `${p}/images/${img.body.image.id}`, t.token)).body.image.state === 'ready',
    );
    const ready = (await api.call('GET', `${p}/images/${img.body.image.id}`, t.token)).body.image;
    expect(ready).toMatchObject({
      sizeBytes: 1024,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      projectId: t.project,
    });
    const names = (await api.call('GET', `${p}/images`, t.token)).body.images.map(
      (i: { name: string }) => i.name,
    );
    expect(names.sort()).toEqual(['mine', 'tiny']);
  });

  it('imports an image from a URL, and fails it with the reason when the format is wrong', async () => {
    const server = createServer((req, res) =>
      res.end(req.url === '/good.qcow2' ? Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0]) : 'plain'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const p = `/v1/projects/${t.project}/images`;
      const good = await api.call('POST', p, t.token, {
        name: 'web',
        format: 'qcow2',
        url: `http://127.0.0.1:${port}/good.qcow2`,
      });
      const bad = await api.call('POST', p, t.token, {
        name: 'webbad',
        format: 'qcow2',
        url: `http://127.0.0.1:${port}/bad`,
      });
      expect(good.body.image.state).toBe('pending');
      const state = async (id: string) => (await api.call('GET', `${p}/${id}`, t.token)).body.image;
      await api.waitFor(async () => (await state(good.body.image.id)).state === 'ready');
      await api.waitFor(async () => (await state(bad.body.image.id)).state === 'failed');
      expect((await state(bad.body.image.id)).reason).toMatch(/not a qcow2/);
    } finally {
      server.close();
    }
  });

  it('an image that is not ready cannot be used', async () => {
    await api.store.put(
      api.keys.names.one('images', t.project, 'slow'),
      '00000000-0000-4000-8000-00000000000a',
    );
    await api.store.put(api.keys.images.one('00000000-0000-4000-8000-00000000000a'), {
      id: '00000000-0000-4000-8000-00000000000a',
      projectId: t.project,
      name: 'slow',
      format: 'raw',
      source: 'x',
      sizeBytes: 0,
      hypervisors: ['fake'],
      state: 'importing',
      createdAt: new Date().toISOString(),
    });
    const res = await api.call('POST', `/v1/projects/${t.project}/vms`, t.token, {
      name: 's',
      cpus: 1,
      ram: 512,
      disk: '1G',
      image: 'slow',
    });
    expect(res.body.error).toMatchObject({ code: 'NUBO_VALIDATION', details: [{ field: '/image' }] });
  });
});

describe('hosts, users, projects', () => {
  it('admins add, list (with liveness and use), drain and enable hosts', async () => {
    const add = await api.call('POST', '/v1/hosts', api.adminToken, {
      name: 'hv1',
      hypervisor: 'libvirt',
      cpus: 16,
      ram: '64GiB',
      disk: '2T',
    });
    expect(add.body.host).toMatchObject({
      capacity: { cpus: 16, ramMiB: 65536, diskGiB: 2048 },
      enabled: true,
    });
    expect(
      (
        await api.call('POST', '/v1/hosts', api.adminToken, {
          name: 'hv1',
          hypervisor: 'fake',
          cpus: 1,
          ram: 1024,
          disk: '1G',
        })
      ).status,
    ).toBe(409);
    await api.store.put(api.keys.alive.one('hv1'), {
      name: 'hv1',
      pid: 1,
      startedAt: new Date().toISOString(),
      version: '1',
    });
    const list = (await api.call('GET', '/v1/hosts', api.adminToken)).body.hosts;
    expect(list).toContainEqual(
      expect.objectContaining({ name: 'hv1', alive: true, used: { cpus: 0, ramMiB: 0, diskGiB: 0 } }),
    );
    expect((await api.call('POST', '/v1/hosts/hv1/drain', api.adminToken)).body.host.enabled).toBe(false);
    expect((await api.call('POST', '/v1/hosts/hv1/enable', api.adminToken)).body.host.enabled).toBe(true);
    expect((await api.call('POST', '/v1/hosts/ghost/drain', api.adminToken)).status).toBe(404);
  });

  it('admins make users with a one-time token; users make projects; admins set quotas', async () => {
    const made = await api.call('POST', '/v1/users', api.adminToken, {
      name: 'carol',
      email: 'c@example.org',
    });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^nubo_/);
    expect((await api.call('POST', '/v1/users', api.adminToken, { name: 'carol' })).body.error.code).toBe(
      'NUBO_ALREADY_EXISTS',
    );
    expect(
      (await api.call('GET', '/v1/users', api.adminToken)).body.users.map((u: { name: string }) => u.name),
    ).toContain('carol');
    const second = await api.call('POST', `/v1/users/${made.body.user.id}/tokens`, made.body.token);
    expect((await api.call('GET', '/v1/me', second.body.token)).body.user.name).toBe('carol');
    const project = await api.call('POST', '/v1/projects', made.body.token, { name: 'proj', graceDays: 2 });
    const id = project.body.project.id;
    const quota = await api.call('PUT', `/v1/projects/${id}/quota`, api.adminToken, { vms: 3, ram: '8GiB' });
    expect(quota.body.project.quota).toMatchObject({ vms: 3, ramMiB: 8192 });
    const shown = await api.call('GET', `/v1/projects/${id}`, made.body.token);
    expect(shown.body).toMatchObject({ project: { graceDays: 2 }, usage: { vms: 0 } });
  });
});

describe('OpenAPI, health and metrics', () => {
  it('serves the OpenAPI document built from the route schemas, and a UI', async () => {
    const doc = await api.app.inject({ url: '/docs/json' });
    const spec = doc.json();
    expect(spec.openapi).toMatch(/^3\./);
    const create = spec.paths['/v1/projects/{project}/vms'].post;
    expect(create.requestBody.content['application/json'].schema.properties.ram).toBeDefined();
    expect(Object.keys(spec.paths).length).toBeGreaterThan(20);
    expect((await api.app.inject({ url: '/docs/' })).statusCode).toBe(200);
  });

  it('answers /healthz and /metrics', async () => {
    expect((await api.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const metrics = (await api.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('nubo_api_request_duration_seconds_bucket');
    expect(metrics).toContain('nubo_api_vm_creates_total');
  });
});
