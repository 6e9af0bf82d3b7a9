import { defaultSources, Follower } from '@nubo/lifecycle';
import { createLogger, Vm } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;
let alice: { token: string; project: string };
let mallory: { token: string; project: string };
let vmId: string;
const T0 = Date.parse('2020-01-01T00:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  await api.publicImage();
  alice = await api.tenant('alice');
  mallory = await api.tenant('mallory');
  // The lifecycle daemon's follower derives events and BOM movements from what the API writes.
  const follower = new Follower(
    { store: api.store, keys: api.keys, logger: createLogger('lc', { level: 'silent' }) },
    defaultSources(api.keys)[0]!,
  );
  void follower.run();
  const made = await api.call('POST', `/v1/projects/${alice.project}/vms`, alice.token, {
    name: 'web',
    cpus: 2,
    ram: '2GiB',
    disk: '10GiB',
    image: 'tiny',
  });
  vmId = made.body.vm.id;
  // Played as the scheduler and host would: running at T0, stopped at T0+6h, deleted at T0+8h.
  let revision = 0;
  for (const [hours, change] of [
    [0, { state: 'building', host: 'h1' }],
    [0, { state: 'running' }],
    [6, { state: 'quiescing' }],
    [6, { state: 'quiesced' }],
    [8, { state: 'scrub_queue', deletedAt: at(8), scrubAfter: at(8 + 7 * 24) }],
  ] as const) {
    const e = await api.store.update(api.keys.vms.one(vmId), Vm, (vm) => ({
      ...vm,
      ...change,
      updatedAt: at(hours),
    }));
    revision = e.modRevision;
  }
  await follower.waitFor(revision);
  follower.stop();
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

describe('SKUs', () => {
  it('admins create SKUs and change prices; members read them and get 403 on writes; nothing half-written', async () => {
    const sku = { id: 'vcpu', name: 'vCPU', unit: 'vCPU', pricePerHour: '0.01' };
    expect((await api.call('POST', '/v1/skus', alice.token, sku)).status).toBe(403);
    const made = await api.call('POST', '/v1/skus', api.adminToken, sku);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ id: 'vcpu', prices: [{ microPerHour: 10_000 }] });
    await api.call('POST', '/v1/skus', api.adminToken, {
      ...sku,
      id: 'ram-gib',
      unit: 'GiB',
      pricePerHour: '0.005',
    });
    await api.call('POST', '/v1/skus', api.adminToken, {
      ...sku,
      id: 'disk-gib',
      unit: 'GiB',
      pricePerHour: '0.0001',
    });
    const before = await api.allKeys();
    const again = await api.call('POST', '/v1/skus', api.adminToken, sku);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'NUBO_ALREADY_EXISTS', details: [{ field: '/id' }] });
    const badPrice = await api.call('POST', '/v1/skus', api.adminToken, {
      ...sku,
      id: 'x',
      pricePerHour: '1.1234567',
    });
    expect(badPrice.body.error).toMatchObject({
      code: 'NUBO_VALIDATION',
      details: [{ field: '/pricePerHour' }],
    });
    const unknown = await api.call('POST', '/v1/skus', api.adminToken, { ...sku, id: 'y', colour: 'red' });
    expect(unknown.body.error.code).toBe('NUBO_VALIDATION');
    const noSku = await api.call('POST', '/v1/skus/nope/prices', api.adminToken, {
      pricePerHour: '1',
      from: at(0),
    });
    expect(noSku.status).toBe(404);
    const noFrom = await api.call('POST', '/v1/skus/vcpu/prices', api.adminToken, { pricePerHour: '1' });
    expect(noFrom.body.error.details[0].field).toBe('/from');
    expect(
      (await api.call('POST', '/v1/skus/vcpu/prices', alice.token, { pricePerHour: '1', from: at(0) }))
        .status,
    ).toBe(403);
    expect(await api.allKeys()).toEqual(before);
    // vCPU doubles at T0+3h, in the middle of the running period.
    const changed = await api.call('POST', '/v1/skus/vcpu/prices', api.adminToken, {
      pricePerHour: '0.02',
      from: at(3),
    });
    expect(changed.status).toBe(201);
    expect(changed.body.prices.map((p: { microPerHour: number }) => p.microPerHour)).toEqual([
      10_000, 20_000,
    ]);
    const list = await api.call('GET', '/v1/skus', alice.token);
    expect(list.body.skus.map((s: { id: string }) => s.id).sort()).toEqual(['disk-gib', 'ram-gib', 'vcpu']);
    expect((await api.call('GET', '/v1/skus/ram-gib', alice.token)).body.unit).toBe('GiB');
    expect((await api.call('GET', '/v1/skus/none', alice.token)).status).toBe(404);
  });
});

describe('bill', () => {
  it('matches the hand computation per resource and per SKU, across the price change', async () => {
    const res = await api.call(
      'GET',
      `/v1/projects/${alice.project}/bill?from=${at(0)}&to=${at(10)}`,
      alice.token,
    );
    expect(res.status).toBe(200);
    const imageId = (await api.store.get(api.keys.vms.one(vmId), Vm))!.value.imageId;
    // Running 0–6 h: vCPU 2 × (3 h × 0.01 + 3 h × 0.02) = 0.18; RAM 2 GiB × 6 h × 0.005 = 0.06;
    // disk 10 GiB × 6 h × 0.0001 = 0.006. Stopped 6–8 h: disk only, 0.002. Deleted: free.
    expect(res.body.resources).toEqual([
      {
        resourceType: 'vm',
        resourceId: vmId,
        resourceName: 'web',
        amountMicro: 248_000,
        amount: '0.248000',
        lines: [
          { sku: 'disk-gib', unit: 'GiB', unitHours: '80.000000', amountMicro: 8_000, amount: '0.008000' },
          // No SKU for the image: free (docs/lifecycle.md).
          {
            sku: `image-${imageId}`,
            unit: 'unit',
            unitHours: '6.000000',
            amountMicro: 0,
            amount: '0.000000',
          },
          { sku: 'ram-gib', unit: 'GiB', unitHours: '12.000000', amountMicro: 60_000, amount: '0.060000' },
          { sku: 'vcpu', unit: 'vCPU', unitHours: '12.000000', amountMicro: 180_000, amount: '0.180000' },
        ],
      },
    ]);
    expect(
      res.body.skus.map((s: { sku: string; amountMicro: number }) => [s.sku, s.amountMicro]),
    ).toContainEqual(['vcpu', 180_000]);
    expect(res.body).toMatchObject({ totalMicro: 248_000, total: '0.248000', totalCents: '0.25' });
  });

  it('defaults to this month so far, is 404 for another project, and names a bad field', async () => {
    const month = await api.call('GET', `/v1/projects/${alice.project}/bill`, alice.token);
    expect(month.status).toBe(200);
    expect(new Date(month.body.from).getUTCDate()).toBe(1);
    expect(month.body.totalMicro).toBe(0);
    const other = await api.call('GET', `/v1/projects/${alice.project}/bill`, mallory.token);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NUBO_NOT_FOUND');
    const bad = await api.call('GET', `/v1/projects/${alice.project}/bill?from=yesterday`, alice.token);
    expect(bad.body.error).toMatchObject({
      code: 'NUBO_VALIDATION',
      details: [{ field: 'querystring/from' }],
    });
    const backwards = await api.call(
      'GET',
      `/v1/projects/${alice.project}/bill?from=${at(2)}&to=${at(1)}`,
      alice.token,
    );
    expect(backwards.body.error).toMatchObject({ code: 'NUBO_VALIDATION', details: [{ field: '/to' }] });
  });
});

describe('events', () => {
  it("lists a VM's lifecycle in order, per VM and per project", async () => {
    const res = await api.call('GET', `/v1/projects/${alice.project}/vms/${vmId}/events`, alice.token);
    expect(res.status).toBe(200);
    expect(
      res.body.events.map((e: { action: string; toState?: string }) => `${e.action}:${e.toState ?? ''}`),
    ).toEqual([
      'vm.created:requested',
      'vm.state:building',
      'vm.state:running',
      'vm.state:quiescing',
      'vm.state:quiesced',
      'vm.state:scrub_queue',
    ]);
    expect(res.body.events[0]).toMatchObject({ actor: 'api', resourceName: 'web', projectId: alice.project });
    const project = await api.call('GET', `/v1/projects/${alice.project}/events?limit=2`, alice.token);
    expect(project.body.events.map((e: { toState: string }) => e.toState)).toEqual([
      'quiesced',
      'scrub_queue',
    ]);
  });

  it("is 404 for another project's events or VM, and refuses a bad limit", async () => {
    expect((await api.call('GET', `/v1/projects/${alice.project}/events`, mallory.token)).status).toBe(404);
    expect(
      (await api.call('GET', `/v1/projects/${alice.project}/vms/${vmId}/events`, mallory.token)).status,
    ).toBe(404);
    // Alice's VM asked for under Mallory's own project: not found either.
    const cross = await api.call('GET', `/v1/projects/${mallory.project}/vms/${vmId}/events`, mallory.token);
    expect(cross.body.error.code).toBe('NUBO_NOT_FOUND');
    for (const limit of ['0', '1001', 'x']) {
      const bad = await api.call('GET', `/v1/projects/${alice.project}/events?limit=${limit}`, alice.token);
      expect(bad.body.error).toMatchObject({
        code: 'NUBO_VALIDATION',
        details: [{ field: 'querystring/limit' }],
      });
    }
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of [
      '/v1/projects/{project}/bill',
      '/v1/projects/{project}/events',
      '/v1/projects/{project}/vms/{id}/events',
      '/v1/skus',
      '/v1/skus/{id}/prices',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(
      doc.paths['/v1/projects/{project}/bill'].get.parameters.map((p: { name: string }) => p.name),
    ).toContain('from');
  });
});
