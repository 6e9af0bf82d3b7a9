import { Vm } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;
let t: { token: string; project: string; userId: string };
let vmId: string;

interface WriteRoute {
  method: 'POST' | 'PUT';
  url: () => string;
  admin?: boolean;
  valid: Record<string, unknown>;
  /** A field and a value of the wrong type. */
  wrongType: [string, unknown];
}

const routes: WriteRoute[] = [
  { method: 'POST', url: () => '/v1/users', admin: true, valid: { name: 'zed' }, wrongType: ['name', 5] },
  { method: 'POST', url: () => '/v1/projects', valid: { name: 'p2' }, wrongType: ['graceDays', 'soon'] },
  {
    method: 'PUT',
    url: () => `/v1/projects/${t.project}/quota`,
    admin: true,
    valid: { vms: 5 },
    wrongType: ['vms', -1],
  },
  {
    method: 'POST',
    url: () => `/v1/projects/${t.project}/members`,
    valid: { user: 'admin' },
    wrongType: ['user', []],
  },
  {
    method: 'POST',
    url: () => `/v1/projects/${t.project}/ssh-keys`,
    valid: { name: 'k', publicKey: 'ssh-ed25519 AAAA' },
    wrongType: ['publicKey', 7],
  },
  {
    method: 'POST',
    url: () => `/v1/projects/${t.project}/networks`,
    valid: { name: 'n' },
    wrongType: ['ipv4Cidr', '10.0.0.0/33'],
  },
  {
    method: 'POST',
    url: () => `/v1/projects/${t.project}/images`,
    valid: { name: 'i', format: 'raw', file: 'x' },
    wrongType: ['format', 'vmdk'],
  },
  {
    method: 'POST',
    url: () => '/v1/hosts',
    admin: true,
    valid: { name: 'h9', hypervisor: 'fake', cpus: 4, ram: '8G', disk: '100G' },
    wrongType: ['cpus', '4'],
  },
  {
    method: 'POST',
    url: () => `/v1/projects/${t.project}/vms`,
    valid: { name: 'v', cpus: 1, ram: 512, disk: '1G', image: 'tiny' },
    wrongType: ['cpus', 'two'],
  },
  {
    method: 'POST',
    url: () => `/v1/projects/${t.project}/vms/${vmId}/resize`,
    valid: { cpus: 2 },
    wrongType: ['cpus', 0],
  },
  {
    method: 'POST',
    url: () => `/v1/projects/${t.project}/vms/${vmId}/migrate`,
    admin: true,
    valid: { host: 'h1' },
    wrongType: ['host', '-bad-'],
  },
];

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  await api.publicImage();
  t = await api.tenant('alice');
  const vm = await api.call('POST', `/v1/projects/${t.project}/vms`, t.token, {
    name: 'base',
    cpus: 1,
    ram: 512,
    disk: '1G',
    image: 'tiny',
  });
  vmId = vm.body.vm.id;
  await api.store.update(api.keys.vms.one(vmId), Vm, (v) => ({
    ...v,
    state: 'running' as const,
    host: 'h1',
  }));
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

/** Sends a request and checks it changed nothing in etcd. */
async function refused(route: WriteRoute, payload: unknown, headers: Record<string, string> = {}) {
  const before = await api.allKeys();
  const token = route.admin ? api.adminToken : t.token;
  const res = await api.call(route.method, route.url(), token, payload, {
    'content-type': 'application/json',
    ...headers,
  });
  expect(await api.allKeys()).toEqual(before);
  return res;
}

describe.each(routes)('$method $valid', (route) => {
  it('bad JSON is NUBO_BAD_JSON', async () => {
    const res = await refused(route, '{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('NUBO_BAD_JSON');
  });

  it('a wrong type names the field', async () => {
    const [field, value] = route.wrongType;
    const res = await refused(route, { ...route.valid, [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('NUBO_VALIDATION');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(`/${field}`);
  });

  it('an unknown field names it', async () => {
    const res = await refused(route, { ...route.valid, bogus: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toContainEqual({ field: '/bogus', message: 'is not a known field' });
  });

  it('a huge body is 413', async () => {
    const res = await refused(route, { ...route.valid, name: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('NUBO_PAYLOAD_TOO_LARGE');
  });

  it('a body that is not JSON is 415', async () => {
    const res = await refused(route, 'name=x', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('NUBO_UNSUPPORTED_MEDIA');
  });
});

describe('bad units, references and states', () => {
  const vms = () => routes.find((r) => r.url().endsWith('/vms'))!;

  it.each([
    ['ram', '2Gb'],
    ['ram', '-1G'],
    ['disk', '1.5.2G'],
    ['disk', '1500MiB'],
  ])('%s %s is NUBO_BAD_UNIT naming the field', async (field, value) => {
    const res = await refused(vms(), { ...vms().valid, [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'NUBO_BAD_UNIT', details: [{ field: `/${field}` }] });
  });

  it('bad units in hosts, quotas and resize name their field', async () => {
    for (const route of routes.filter((r) =>
      ['/hosts', '/quota', '/resize'].some((s) => r.url().endsWith(s)),
    )) {
      const res = await refused(route, { ...route.valid, ram: '12 parsecs' });
      expect(res.body.error).toMatchObject({ code: 'NUBO_BAD_UNIT', details: [{ field: '/ram' }] });
    }
  });

  it('an unknown image, network or key names the field', async () => {
    expect((await refused(vms(), { ...vms().valid, image: 'nope' })).body.error.details[0].field).toBe(
      '/image',
    );
    const net = await refused(vms(), { ...vms().valid, networks: ['00000000-0000-4000-8000-000000000000'] });
    expect(net.body.error.details[0].field).toBe('/networks/0');
    expect((await refused(vms(), { ...vms().valid, sshKeys: ['ghost'] })).body.error.details[0].field).toBe(
      '/sshKeys/0',
    );
  });

  it('too small RAM and too much user-data are refused', async () => {
    expect((await refused(vms(), { ...vms().valid, ram: '32MiB' })).body.error.details[0].field).toBe('/ram');
    const big = await refused(vms(), { ...vms().valid, userData: 'é'.repeat(9000) });
    expect(big.body.error).toMatchObject({ code: 'NUBO_VALIDATION', details: [{ field: '/userData' }] });
  });

  it('a bad Idempotency-Key header is refused', async () => {
    const res = await refused(vms(), vms().valid, { 'idempotency-key': 'x'.repeat(300) });
    expect(res.body.error.details[0].field).toBe('headers/idempotency-key');
  });

  it('a private key, a garbled key and a non-network IPv4 CIDR are refused', async () => {
    const keys = routes.find((r) => r.url().endsWith('/ssh-keys'))!;
    const priv = await refused(keys, {
      name: 'k',
      publicKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----',
    });
    expect(priv.body.error.message).toMatch(/private key/);
    expect(JSON.stringify(priv.body)).not.toContain('abc');
    expect((await refused(keys, keys.valid)).body.error.details[0].field).toBe('/publicKey');
    const nets = routes.find((r) => r.url().endsWith('/networks'))!;
    expect((await refused(nets, { name: 'n', ipv4Cidr: '10.0.0.5/24' })).body.error.details[0].field).toBe(
      '/ipv4Cidr',
    );
  });

  it('an unknown route or id is 404 in the same shape', async () => {
    const res = await api.call('GET', '/v1/nothing', t.token);
    expect(res.body.error.code).toBe('NUBO_NOT_FOUND');
    const bad = await api.call('GET', `/v1/projects/not-a-uuid/vms`, t.token);
    expect(bad.body.error).toMatchObject({ code: 'NUBO_VALIDATION', details: [{ field: 'params/project' }] });
  });
});
