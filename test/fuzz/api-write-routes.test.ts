// Every write route of the API (from its own OpenAPI document) gets generated
// bad and borderline input through fastify inject, on a real etcd. Promise:
// never a 5xx; every refusal a 4xx with a NUBO_ code of that status and a
// message; and a refused request leaves every key of the region as it was.
import { ErrorCodes, type SshKey } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../packages/api/test/helpers.js';
import { payloadFor } from './arbitraries.js';
import { dumpDiff, dumpRegion } from './region-dump.js';

const RUNS_PER_ROUTE = Number(process.env.NUBO_FUZZ_RUNS ?? 25);

let etcd: EtcdCluster;
let api: TestApi;
let ids: Record<string, string[]>;
let tokens: string[];
let routes: { method: string; path: string; schema: any }[];

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  const image = await api.publicImage('tiny');
  const alice = await api.tenant('alice');
  const bob = await api.tenant('bob');
  const net = await api.call('POST', `/v1/projects/${alice.project}/networks`, alice.token, { name: 'n1' });
  const key = await api.call('POST', `/v1/projects/${alice.project}/ssh-keys`, alice.token, {
    name: 'k1',
    publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl fuzz',
  });
  const vm = await api.call('POST', `/v1/projects/${alice.project}/vms`, alice.token, {
    name: 'v1',
    cpus: 1,
    ram: 512,
    disk: '1GiB',
    image: 'tiny',
    networks: [net.body.network.id],
  });
  await api.call('POST', '/v1/hosts', api.adminToken, {
    name: 'h1',
    hypervisor: 'fake',
    cpus: 4,
    ram: '4GiB',
    disk: '40GiB',
  });
  const keyId = (key.body.sshKey ?? key.body.key ?? {}) as Partial<SshKey>;
  ids = {
    project: [alice.project, alice.project, bob.project],
    id: [vm.body.vm.id, net.body.network.id, image, keyId.id ?? image, alice.userId],
    user: [alice.userId, bob.userId],
    name: ['h1', 'tiny.raw', 'new-file.raw'],
  };
  tokens = [alice.token, alice.token, api.adminToken];
  await api.app.ready();
  const doc = api.app.swagger() as { paths: Record<string, Record<string, any>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => ['post', 'put', 'delete', 'patch'].includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        schema: op.requestBody?.content?.['application/json']?.schema,
      })),
  );
}, 60_000);

afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

const badSegment = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    'x'.repeat(300),
    '%00',
    'not-a-uuid',
    '00000000-0000-4000-8000-000000000000',
    '%ff',
    '%20',
    'ADMIN',
  ),
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);

function urlFor(path: string): fc.Arbitrary<string> {
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const values = params.map((p) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...(ids[p] ?? ['x'])) },
      { weight: 1, arbitrary: badSegment },
    ),
  );
  return fc
    .tuple(...values)
    .map((vals) => params.reduce((url, p, i) => url.replace(`{${p}}`, vals[i]!), path));
}

/** After an accepted request, waits for its background work (image imports) to end, so it is not blamed on the next. */
async function settle(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { entries } = await api.store.list(api.keys.images.prefix);
    if (!entries.some((e) => ['pending', 'importing'].includes((e.value as { state?: string }).state ?? '')))
      return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('API write routes under generated input', () => {
  it('answer bad input with a clear 4xx and leave the store as it was', async () => {
    const statusOf = ErrorCodes as Record<string, { status: number }>;
    let requests = 0;
    for (const route of routes) {
      const fields = route.path.endsWith('/vms')
        ? { image: 'tiny', networks: [ids.id![1]] }
        : route.path.endsWith('/images')
          ? { file: 'tiny.raw', format: 'raw' }
          : {};
      await fc.assert(
        fc.asyncProperty(
          urlFor(route.path),
          payloadFor(route.schema, fields),
          fc.constantFrom(...tokens),
          async (url, payload, token) => {
            const before = await dumpRegion(api.store, api.keys.prefix);
            const res = await api.app.inject({
              method: route.method as 'POST',
              url,
              headers: {
                authorization: `Bearer ${token}`,
                ...(payload.contentType ? { 'content-type': payload.contentType } : {}),
              },
              ...(payload.body !== undefined ? { payload: payload.body } : {}),
            });
            requests++;
            const what = `${route.method} ${url} ${payload.contentType} ${payload.body?.slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
            expect(res.statusCode, what).toBeLessThan(500);
            if (res.statusCode < 400) return settle();
            const parsed = JSON.parse(res.body) as { error?: { code?: string; message?: string } };
            const after = await dumpRegion(api.store, api.keys.prefix);
            const diff = dumpDiff(before, after);
            expect(diff, `${what}\n${diff.join('\n')}`).toEqual([]);
            const error = parsed.error;
            const code = error?.code ?? '';
            expect(code, what).toMatch(/^NUBO_[A-Z0-9_]+$/);
            expect(statusOf[code]?.status, what).toBe(res.statusCode);
            expect(error?.message, what).toBeTruthy();
          },
        ),
        {
          numRuns: RUNS_PER_ROUTE,
          ...(process.env.NUBO_FUZZ_SEED ? { seed: Number(process.env.NUBO_FUZZ_SEED) } : {}),
        },
      );
    }
    expect(routes.length).toBeGreaterThan(20);
    expect(requests).toBe(routes.length * RUNS_PER_ROUTE);
  }, 180_000);
});
