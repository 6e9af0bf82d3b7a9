import { randomUUID } from 'node:crypto';
import {
  createLogger,
  DEFAULT_QUOTA,
  type Keys,
  type Project,
  type Store,
  type User,
  type Vm,
} from '@nubo/shared';
import { createSku } from '../src/skus.js';

export const silent = createLogger('lifecycle-test', { level: 'silent' });

/** T0 plus some seconds, as an ISO time: every test drives time by hand. */
export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
export const H = 3600;

export async function seedProject(
  store: Store,
  keys: Keys,
  email?: string,
): Promise<{ project: Project; user: User }> {
  const user: User = {
    id: randomUUID(),
    name: `owner-${randomUUID().slice(0, 8)}`,
    role: 'member',
    createdAt: at(0),
    ...(email ? { email } : {}),
  };
  const project: Project = {
    id: randomUUID(),
    name: 'acme',
    ownerId: user.id,
    members: [user.id],
    quota: DEFAULT_QUOTA,
    graceDays: 7,
    createdAt: at(0),
  };
  await store.put(keys.users.one(user.id), user);
  await store.put(keys.projects.one(project.id), project);
  return { project, user };
}

export function newVm(projectId: string, overrides: Partial<Vm> = {}): Vm {
  return {
    id: randomUUID(),
    projectId,
    name: `vm-${randomUUID().slice(0, 6)}`,
    cpus: 2,
    ramMiB: 2048,
    diskGiB: 20,
    imageId: randomUUID(),
    nics: [],
    sshKeyIds: [],
    state: 'requested',
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

/** Writes the VM as the API or a daemon would (the record only); returns its revision. */
export function writeVm(store: Store, keys: Keys, vm: Vm): Promise<number> {
  return store.put(keys.vms.one(vm.id), vm);
}

/** vCPU 0.01/h, RAM 0.005 per GiB-hour, disk 0.0002 per GiB-hour, all since the epoch. */
export async function seedSkus(store: Store, keys: Keys): Promise<void> {
  await createSku(store, keys, { id: 'vcpu', name: 'vCPU', unit: 'vCPU', pricePerHour: '0.01' });
  await createSku(store, keys, { id: 'ram-gib', name: 'RAM', unit: 'GiB', pricePerHour: '0.005' });
  await createSku(store, keys, { id: 'disk-gib', name: 'Disk', unit: 'GiB', pricePerHour: '0.0002' });
}

/** Every key under the prefix with its value, for "nothing else changed" comparisons. */
export async function dump(store: Store, prefix: string): Promise<Map<string, string>> {
  const { entries } = await store.list(prefix);
  return new Map(entries.map((e) => [e.key, JSON.stringify(e.value)]));
}
