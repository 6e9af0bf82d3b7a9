// One VM, network, image or project record that did not parse made the
// listing of every tenant fail (500): those lists read a prefix all tenants
// share. The record is now left out of listings (logged), and the admin
// check names it.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { useTestApi } from './helpers.js';

const api = useTestApi();

it("lists a tenant's resources past another tenant's records that are not valid", async () => {
  const a = api();
  const { token, project } = await a.tenant('lister');
  const made = await a.call('POST', `/v1/projects/${project}/networks`, token, { name: 'n1' });
  expect(made.status).toBe(201);
  for (const prefix of [
    a.keys.vms.prefix,
    a.keys.networks.prefix,
    a.keys.images.prefix,
    a.keys.projects.prefix,
  ])
    await a.store.client.put(`${prefix}${randomUUID()}`).value('{"broken": ');
  await a.store.put(a.keys.vms.one(randomUUID()), { id: 'not a VM' });

  for (const [path, field] of [
    [`/v1/projects/${project}/vms`, 'vms'],
    [`/v1/projects/${project}/networks`, 'networks'],
    [`/v1/projects/${project}/images`, 'images'],
    ['/v1/projects', 'projects'],
  ] as const) {
    const res = await a.call('GET', path, token);
    expect(res.status, path).toBe(200);
    expect(Array.isArray(res.body[field]), path).toBe(true);
  }
  expect((await a.call('GET', `/v1/projects/${project}/networks`, token)).body.networks).toHaveLength(1);

  const check = await a.call('GET', '/v1/admin/check', a.adminToken);
  const rules = (check.body.violations as { rule: string }[]).map((v) => v.rule);
  expect(rules.filter((r) => r === 'record.json')).toHaveLength(4);
  expect(rules).toContain('vm.valid');
});

it("lists users, hosts and a user's tokens past records that are not valid", async () => {
  const a = api();
  const { token, userId } = await a.tenant('admin-lister');
  for (const name of ['good-hv', 'bad-alloc-hv', 'bad-alive-hv'])
    expect(
      (
        await a.call('POST', '/v1/hosts', a.adminToken, {
          name,
          hypervisor: 'fake',
          cpus: 4,
          ram: '8GiB',
          disk: '100G',
        })
      ).status,
    ).toBe(201);
  for (const prefix of [a.keys.users.prefix, a.keys.hosts.prefix, a.keys.tokens.prefix])
    await a.store.client.put(`${prefix}${randomUUID()}`).value('{"broken": ');
  // A host whose allocation is unreadable is left out, not shown as empty.
  await a.store.client.put(a.keys.allocations.one('bad-alloc-hv')).value('not json');
  // JSON, but not a liveness record (an extra field), and a user record that is not a user.
  await a.store.put(a.keys.alive.one('bad-alive-hv'), { name: 'bad-alive-hv', extra: 1 });
  await a.store.put(a.keys.users.one(randomUUID()), { id: 'not a user' });

  const users = await a.call('GET', '/v1/users', a.adminToken);
  expect(users.status).toBe(200);
  expect((users.body.users as { id: string }[]).map((u) => u.id)).toContain(userId);

  const hosts = await a.call('GET', '/v1/hosts', a.adminToken);
  expect(hosts.status).toBe(200);
  expect((hosts.body.hosts as { name: string }[]).map((h) => h.name)).toEqual(['good-hv']);

  const tokens = await a.call('GET', `/v1/users/${userId}/tokens`, token);
  expect(tokens.status).toBe(200);
  expect(tokens.body.tokens).toHaveLength(1);

  // Left out of the listings, named by the admin check.
  const check = await a.call('GET', '/v1/admin/check', a.adminToken);
  const subjects = (check.body.violations as { rule: string; subject: string }[]).map(
    (v) => `${v.rule} ${v.subject}`,
  );
  expect(subjects).toContain(`host-liveness.valid ${a.keys.alive.one('bad-alive-hv')}`);
  expect(subjects).toContain(`record.json ${a.keys.allocations.one('bad-alloc-hv')}`);
  expect(subjects.filter((s) => s.startsWith('user.valid '))).toHaveLength(1);
});

it("lists a project's events past one of them that is not valid", async () => {
  const a = api();
  const { token, project } = await a.tenant('event-lister');
  const vmId = randomUUID();
  await a.store.put(a.keys.events.one(project, `000000000001-${vmId}`), {
    id: `000000000001-${vmId}`,
    projectId: project,
    resourceType: 'vm',
    resourceId: vmId,
    time: new Date().toISOString(),
    revision: 1,
    actor: 'api',
    action: 'vm.created',
    message: 'created',
  });
  await a.store.client.put(a.keys.events.one(project, `000000000002-${vmId}`)).value('{"broken": ');
  const res = await a.call('GET', `/v1/projects/${project}/events`, token);
  expect(res.status).toBe(200);
  expect(res.body.events.map((e: { action: string }) => e.action)).toEqual(['vm.created']);
});
