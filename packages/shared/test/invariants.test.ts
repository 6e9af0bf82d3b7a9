import { randomUUID } from 'node:crypto';
import { uniquePrefix } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { describe, expect, it } from 'vitest';
import { checkRegion, type Keys, keyLayout, macToEui64, type Vm } from '../src/index.js';

const db = useEtcdStore();

const now = new Date().toISOString();
const prefix64 = 'fd00:1:2:3::/64';

function vm(projectId: string, mac: string, overrides: Partial<Vm> = {}): Vm {
  return {
    id: randomUUID(),
    projectId,
    name: `vm-${mac.slice(-2)}`,
    cpus: 2,
    ramMiB: 1024,
    diskGiB: 10,
    imageId: randomUUID(),
    nics: [{ networkId: randomUUID(), mac, ipv6: macToEui64(mac, prefix64) }],
    sshKeyIds: [],
    state: 'running',
    host: 'h1',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A healthy region: one live host running two VMs, with matching allocation and MAC reservations. */
async function healthyRegion(keys: Keys): Promise<{ a: Vm; b: Vm }> {
  const project = randomUUID();
  const a = vm(project, '52:54:00:00:00:0a');
  const b = vm(project, '52:54:00:00:00:0b');
  const txn = db.store
    .txn()
    .put(keys.projects.one(project), {
      id: project,
      name: 'p',
      ownerId: randomUUID(),
      members: [],
      quota: { vms: 5, cpus: 8, ramMiB: 8192, diskGiB: 100 },
      graceDays: 7,
      createdAt: now,
    })
    .put(keys.hosts.one('h1'), {
      name: 'h1',
      hypervisor: 'fake',
      capacity: { cpus: 4, ramMiB: 4096, diskGiB: 100 },
      enabled: true,
      createdAt: now,
    })
    .put(keys.alive.one('h1'), { name: 'h1', pid: 1, startedAt: now, version: 'test' })
    .put(keys.allocations.one('h1'), {
      host: 'h1',
      used: { cpus: 4, ramMiB: 2048, diskGiB: 20 },
      vms: { [a.id]: { cpus: 2, ramMiB: 1024, diskGiB: 10 }, [b.id]: { cpus: 2, ramMiB: 1024, diskGiB: 10 } },
    });
  for (const v of [a, b]) txn.put(keys.vms.one(v.id), v).put(keys.macs.one(v.nics[0]!.mac), { vmId: v.id });
  await txn.commit();
  return { a, b };
}

describe('checkRegion', () => {
  it('finds nothing wrong in a healthy region', async () => {
    const keys = keyLayout(uniquePrefix());
    const { a, b } = await healthyRegion(keys);
    const report = await checkRegion(db.store, keys, {
      observations: [
        { host: 'h1', domains: [`nubo-${a.id}`, `nubo-${b.id}`, 'someone-elses-vm'], disks: [a.id, b.id] },
      ],
    });
    expect(report.violations).toEqual([]);
    expect(report.vms).toBe(2);
    await db.store.deletePrefix(keys.prefix);
  });

  it('reports each broken promise by its rule', async () => {
    const keys = keyLayout(uniquePrefix());
    const { a } = await healthyRegion(keys);
    const stray = randomUUID();
    await db.store
      .txn()
      .delete(keys.alive.one('h1'))
      .put(keys.allocations.one('h1'), {
        host: 'h1',
        used: { cpus: 9, ramMiB: 2048, diskGiB: 20 },
        vms: { [a.id]: { cpus: 9, ramMiB: 2048, diskGiB: 20 }, [stray]: { cpus: 0, ramMiB: 0, diskGiB: 0 } },
      })
      .put(keys.vms.one(stray), { ...vm(a.projectId, a.nics[0]!.mac), id: stray, host: 'h2' })
      .put(keys.vms.one(randomUUID()), { id: 'not-a-vm' })
      .put(keys.requests.scheduler.one(randomUUID()), {
        id: randomUUID(),
        kind: 'place',
        vmId: a.id,
        createdAt: new Date(Date.now() - 120_000).toISOString(),
      })
      .commit();
    const report = await checkRegion(db.store, keys, {
      observations: [{ host: 'h1', domains: [`nubo-${randomUUID()}`], disks: [randomUUID()] }],
      namespaces: ['nubo-pdeadbeef'],
      projectOfNamespace: () => undefined,
    });
    const rules = new Set(report.violations.map((v) => v.rule));
    for (const rule of [
      'vm.valid',
      'vm.running.alive',
      'vm.running.host',
      'capacity.exceeded',
      'capacity.owner',
      'mac.unique',
      'ipv6.unique',
      'request.stuck',
      'domain.once',
      'orphan.domain',
      'orphan.disk',
      'orphan.namespace',
    ]) {
      expect(rules, `expected a ${rule} violation`).toContain(rule);
    }
    await db.store.deletePrefix(keys.prefix);
  });
});
