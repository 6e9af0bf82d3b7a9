import { HostRequest, SchedulerRequest, Vm } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from './helpers.js';

let etcd: EtcdCluster;
let api: TestApi;
let t: { token: string; project: string };

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  await api.publicImage();
  t = await api.tenant('alice');
  await api.call('POST', '/v1/hosts', api.adminToken, {
    name: 'h1',
    hypervisor: 'fake',
    cpus: 8,
    ram: '16GiB',
    disk: '500G',
  });
  await api.call('POST', '/v1/hosts', api.adminToken, {
    name: 'h2',
    hypervisor: 'fake',
    cpus: 8,
    ram: '16GiB',
    disk: '500G',
  });
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

let n = 0;
/** A VM as the scheduler and host daemon would leave it: placed on h1 and in `state`. */
async function vmIn(state: Vm['state'], host: string | null = 'h1'): Promise<string> {
  const res = await api.call('POST', `/v1/projects/${t.project}/vms`, t.token, {
    name: `vm${++n}`,
    cpus: 1,
    ram: '512MiB',
    disk: '2GiB',
    image: 'tiny',
  });
  const id = res.body.vm.id as string;
  await api.store.update(api.keys.vms.one(id), Vm, (vm) => ({ ...vm, state, ...(host ? { host } : {}) }));
  return id;
}

const url = (id: string, action = '') => `/v1/projects/${t.project}/vms/${id}${action ? `/${action}` : ''}`;

async function hostRequests(host: string, vmId: string) {
  const { entries } = await api.store.list(api.keys.requests.host.ofHost(host), HostRequest);
  return entries
    .map((e) => e.value)
    .filter((r) => r.vmId === vmId)
    .map((r) => r.kind);
}
async function schedulerRequests(vmId: string) {
  const { entries } = await api.store.list(api.keys.requests.scheduler.prefix, SchedulerRequest);
  return entries.map((e) => e.value).filter((r) => r.vmId === vmId);
}

describe('VM actions', () => {
  it('stop, start and restart move the state and write a host request', async () => {
    const id = await vmIn('running');
    const stop = await api.call('POST', url(id, 'stop'), t.token);
    expect(stop.status).toBe(202);
    expect(stop.body.vm.state).toBe('quiescing');
    expect(await hostRequests('h1', id)).toEqual(['stop']);
    await api.store.update(api.keys.vms.one(id), Vm, (vm) => ({ ...vm, state: 'quiesced' as const }));
    expect((await api.call('POST', url(id, 'start'), t.token)).body.vm.state).toBe('restarting');
    await api.store.update(api.keys.vms.one(id), Vm, (vm) => ({ ...vm, state: 'running' as const }));
    expect((await api.call('POST', url(id, 'restart'), t.token)).body.vm.state).toBe('restarting');
    expect((await hostRequests('h1', id)).sort()).toEqual(['restart', 'start', 'stop']);
  });

  it('refuses an action the state machine does not allow, writing nothing', async () => {
    const id = await vmIn('running');
    const before = await api.allKeys();
    const res = await api.call('POST', url(id, 'start'), t.token);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NUBO_INVALID_TRANSITION');
    expect(await api.allKeys()).toEqual(before);
  });

  it('resize sets pending and resumeState, takes quota and asks the scheduler', async () => {
    const id = await vmIn('quiesced');
    const usage = (await api.store.get(api.keys.quotaUsage.one(t.project)))!.value as { cpus: number };
    const res = await api.call('POST', url(id, 'resize'), t.token, { cpus: 4, ram: '2GiB' });
    expect(res.status).toBe(202);
    expect(res.body.vm).toMatchObject({
      state: 'updating',
      resumeState: 'quiesced',
      pending: { cpus: 4, ramMiB: 2048, diskGiB: 2 },
    });
    expect((await api.store.get(api.keys.quotaUsage.one(t.project)))!.value).toMatchObject({
      cpus: usage.cpus + 3,
    });
    expect((await schedulerRequests(id)).map((r) => r.kind)).toContain('resize');
    const shrink = await api.call('POST', url(await vmIn('running'), 'resize'), t.token, { disk: '1GiB' });
    expect(shrink.body.error).toMatchObject({ code: 'NUBO_VALIDATION', details: [{ field: '/disk' }] });
  });

  it('migrate is for admins, to a known other host', async () => {
    const id = await vmIn('running');
    expect((await api.call('POST', url(id, 'migrate'), t.token, { host: 'h2' })).status).toBe(403);
    const unknown = await api.call('POST', url(id, 'migrate'), api.adminToken, { host: 'nope' });
    expect(unknown.body.error).toMatchObject({ code: 'NUBO_VALIDATION', details: [{ field: '/host' }] });
    const res = await api.call('POST', url(id, 'migrate'), api.adminToken, { host: 'h2' });
    expect(res.status).toBe(202);
    expect(res.body.vm).toMatchObject({
      state: 'migrating',
      targetHost: 'h2',
      resumeState: 'running',
      host: 'h1',
    });
    expect(await schedulerRequests(id)).toContainEqual(
      expect.objectContaining({ kind: 'migrate', targetHost: 'h2' }),
    );
  });

  it('delete queues the VM for scrubbing, gives quota back; restore takes it back', async () => {
    const id = await vmIn('running');
    const before = (await api.store.get(api.keys.quotaUsage.one(t.project)))!.value as { vms: number };
    const del = await api.call('DELETE', url(id), t.token);
    expect(del.status).toBe(202);
    expect(del.body.vm.state).toBe('scrub_queue');
    expect(Date.parse(del.body.vm.scrubAfter) - Date.parse(del.body.vm.deletedAt)).toBe(7 * 86_400_000);
    expect(await hostRequests('h1', id)).toContain('quiesce_for_scrub');
    expect((await api.store.get(api.keys.quotaUsage.one(t.project)))!.value).toMatchObject({
      vms: before.vms - 1,
    });
    const restore = await api.call('POST', url(id, 'restore'), t.token);
    expect(restore.body.vm.state).toBe('restarting');
    expect(restore.body.vm.deletedAt).toBeUndefined();
    expect(await hostRequests('h1', id)).toContain('start');
    expect((await api.store.get(api.keys.quotaUsage.one(t.project)))!.value).toMatchObject({
      vms: before.vms,
    });
  });

  it('restore of a never-placed VM asks the scheduler to place it; after the grace period it is refused', async () => {
    const id = await vmIn('requested', null);
    await api.call('DELETE', url(id), t.token);
    const restore = await api.call('POST', url(id, 'restore'), t.token);
    expect(restore.body.vm.state).toBe('requested');
    expect((await schedulerRequests(id)).filter((r) => r.kind === 'place')).toHaveLength(2);
    const late = await vmIn('running');
    await api.call('DELETE', url(late), t.token);
    await api.store.update(api.keys.vms.one(late), Vm, (vm) => ({
      ...vm,
      scrubAfter: new Date(Date.now() - 1000).toISOString(),
    }));
    expect((await api.call('POST', url(late, 'restore'), t.token)).body.error.code).toBe(
      'NUBO_GRACE_EXPIRED',
    );
  });

  it('evacuate (admin) sends an unresourced VM back to the scheduler', async () => {
    const id = await vmIn('unresourced');
    expect((await api.call('POST', url(id, 'evacuate'), t.token)).status).toBe(403);
    const res = await api.call('POST', url(id, 'evacuate'), api.adminToken);
    expect(res.body.vm).toMatchObject({ state: 'requested', host: 'h1' });
    expect((await schedulerRequests(id)).map((r) => r.kind)).toContain('evacuate');
  });
});
