// Every API route (from its OpenAPI document), tried with no token, a wrong
// one, an expired one, and another tenant's: 401 for bad tokens, 404 for
// another project's resources (never 403, so ids cannot be probed), nothing
// written. Token hashes and secrets never appear in a response or a log line.
import { randomUUID } from 'node:crypto';
import { hashSecret } from '@nubo/api';
import type { Token } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reply, TestApi } from '../../packages/api/test/helpers.js';
import { dumpRegion } from '../fuzz/region-dump.js';

let etcd: EtcdCluster;
let api: TestApi;
let alice: { token: string; userId: string; project: string };
let bob: { token: string; userId: string; project: string };
let expired: string;
let ids: Record<string, string>;
let routes: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string }[];
const replies: string[] = [];

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  await api.publicImage('tiny');
  alice = await api.tenant('alice');
  bob = await api.tenant('bob');
  const p = `/v1/projects/${alice.project}`;
  const net = await api.call('POST', `${p}/networks`, alice.token, { name: 'n1' });
  const vm = await api.call('POST', `${p}/vms`, alice.token, {
    name: 'v1',
    cpus: 1,
    ram: 512,
    disk: '1GiB',
    image: 'tiny',
    networks: [net.body.network.id],
  });
  await api.call('PUT', `${p}/files/mine.raw`, alice.token, Buffer.alloc(512, 7), {
    'content-type': 'application/octet-stream',
  });
  await api.call('POST', '/v1/hosts', api.adminToken, {
    name: 'h1',
    hypervisor: 'fake',
    cpus: 4,
    ram: '4GiB',
    disk: '40GiB',
  });
  // A token of alice's that expired a minute ago.
  expired = `nubo_expired_${randomUUID()}`;
  const record: Token = {
    id: randomUUID(),
    userId: alice.userId,
    hash: hashSecret(expired),
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    expiresAt: new Date(Date.now() - 60_000).toISOString(),
  };
  await api.store.put(api.keys.tokens.one(record.hash), record);
  ids = { project: alice.project, id: vm.body.vm.id, name: 'mine.raw', user: alice.userId };
  await api.app.ready();
  const doc = api.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({ method: m.toUpperCase() as 'GET', path })),
  );
}, 60_000);

afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

const urlOf = (path: string) => path.replace(/\{(\w+)\}/g, (_, p: string) => ids[p] ?? 'x');

/** A body the route's schema accepts, so the request gets past validation to the access check. */
function validBody(method: string, path: string): { body?: unknown; headers: Record<string, string> } {
  if (!['POST', 'PUT'].includes(method)) return { headers: {} };
  if (path.includes('/files/'))
    return { body: Buffer.alloc(16), headers: { 'content-type': 'application/octet-stream' } };
  const bodies: [RegExp, unknown][] = [
    [/\/quota$/, { vms: 1 }],
    [/\/members$/, { user: bob?.userId ?? 'x' }],
    [
      /\/ssh-keys$/,
      {
        name: 'k',
        publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x',
      },
    ],
    [/\/networks$/, { name: 'n2' }],
    [/\/images$/, { name: 'i2', format: 'raw', file: 'mine.raw' }],
    [/\/vms$/, { name: 'v2', cpus: 1, ram: 512, disk: '1GiB', image: 'tiny' }],
    [/\/resize$/, { cpus: 2 }],
    [/\/migrate$/, { host: 'h1' }],
    [/\/hosts$/, { name: 'h2', hypervisor: 'fake', cpus: 1, ram: '1GiB', disk: '1GiB' }],
    [/\/users$/, { name: 'mallory' }],
    [/\/projects$/, { name: 'p2' }],
  ];
  const body = bodies.find(([re]) => re.test(path))?.[1];
  return body === undefined ? { headers: {} } : { body, headers: { 'content-type': 'application/json' } };
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

async function call(method: Method, url: string, token: string | undefined, raw?: string): Promise<Reply> {
  const { body, headers } = validBody(method, url);
  if (raw !== undefined) headers.authorization = raw;
  const res = await api.call(method, url, raw !== undefined ? undefined : token, body, headers);
  replies.push(JSON.stringify(res.body ?? ''));
  return res;
}

describe('tokens', () => {
  it('every route refuses a missing, malformed, wrong or expired token with 401, writing nothing', async () => {
    expect(routes.length).toBeGreaterThan(30);
    const before = await dumpRegion(api.store, api.keys.prefix);
    for (const r of routes) {
      const url = urlOf(r.path);
      const tries: [string, Reply][] = [
        ['missing', await call(r.method, url, undefined)],
        ['not bearer', await call(r.method, url, undefined, `Basic ${alice.token}`)],
        ['wrong', await call(r.method, url, `nubo_${randomUUID()}`)],
        ['hash as token', await call(r.method, url, hashSecret(alice.token))],
        ['expired', await call(r.method, url, expired)],
      ];
      for (const [what, res] of tries) {
        expect(res.status, `${r.method} ${url} with a ${what} token`).toBe(401);
        expect(res.body.error.code).toBe('NUBO_UNAUTHENTICATED');
      }
    }
    expect(await dumpRegion(api.store, api.keys.prefix)).toBe(before);
  });
});

describe('projects', () => {
  it("another tenant gets the same 404 (or admin-only 403) for others' ids as for ids nobody has", async () => {
    const before = await dumpRegion(api.store, api.keys.prefix);
    for (const r of routes) {
      const url = urlOf(r.path);
      if (!r.path.includes('{project}') && !r.path.includes('{user}') && !r.path.includes('/users/{id}'))
        continue;
      const res = await call(r.method, url, bob.token);
      const what = `${r.method} ${url} as bob → ${res.status} ${JSON.stringify(res.body)}`;
      expect([403, 404], what).toContain(res.status);
      // The answer must not tell whether the ids exist: the same as for ids nobody has.
      const nobody = r.path.replace(/\{(\w+)\}/g, (_, p: string) =>
        p === 'name' ? 'nothing.raw' : randomUUID(),
      );
      const blind = await call(r.method, nobody, bob.token);
      expect([blind.status, blind.body.error.code], `${what} vs unknown ids ${blind.status}`).toEqual([
        res.status,
        res.body.error.code,
      ]);
    }
    expect(await dumpRegion(api.store, api.keys.prefix)).toBe(before);
    // The owner still sees everything: the refusals were about bob, not the resources.
    const own = await api.call('GET', `/v1/projects/${alice.project}/vms/${ids.id}`, alice.token);
    expect(own.status).toBe(200);
  });

  it("lists show only the caller's projects", async () => {
    const list = await api.call('GET', '/v1/projects', bob.token);
    expect(list.body.projects.map((p: { id: string }) => p.id)).toEqual([bob.project]);
  });
});

describe('secrets', () => {
  it('no token hash or secret appears in any response or log line', async () => {
    const { entries } = await api.store.list(api.keys.tokens.prefix);
    const hashes = entries.map((e) => (e.value as Token).hash);
    expect(hashes.length).toBeGreaterThan(2);
    const listed = await api.call('GET', `/v1/users/${alice.userId}/tokens`, alice.token);
    replies.push(JSON.stringify(listed.body));
    const minted = await api.call('POST', `/v1/users/${alice.userId}/tokens`, alice.token);
    replies.push(JSON.stringify({ ...minted.body, token: undefined }));
    const secrets = [alice.token, bob.token, api.adminToken, expired];
    const everything = [...replies, ...api.logs].join('\n');
    expect(api.logs.length).toBeGreaterThan(50);
    for (const h of hashes) expect(everything.includes(h), `hash ${h.slice(0, 8)}… leaked`).toBe(false);
    for (const s of secrets) expect(api.logs.join('\n').includes(s), 'a secret is in the logs').toBe(false);
  });
});
