// Puts in what the chaos clients need: a public image, and tenants (user,
// project, network) made through the API as a user would make them.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Image } from '@nubo/shared';
import type { Tenant } from './clients.js';
import type { ChaosRegion } from './region-processes.js';

export async function seedChaosImage(region: ChaosRegion): Promise<string> {
  const id = randomUUID();
  const image: Image = {
    id,
    name: 'chaos',
    format: 'qcow2',
    source: 'chaos.qcow2',
    sizeBytes: 1 << 20,
    hypervisors: ['fake'],
    state: 'ready',
    createdAt: new Date().toISOString(),
  };
  await region.store.put(region.keys.images.one(id), image);
  return id;
}

/** Waits until the API at `url` answers its health check. */
export async function apiReady(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`API at ${url} did not come up`);
    await sleep(100);
  }
}

async function post(url: string, path: string, token: string, body: unknown, method = 'POST'): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export async function makeTenant(
  region: ChaosRegion,
  url: string,
  name: string,
  image: string,
): Promise<Tenant> {
  const made = await post(url, '/v1/users', region.adminToken, { name });
  const token = made.token as string;
  const project = (await post(url, '/v1/projects', token, { name: `${name}-p` })).project.id as string;
  await post(url, `/v1/projects/${project}/quota`, region.adminToken, { vms: 1000, cpus: 10_000 }, 'PUT');
  const network = (await post(url, `/v1/projects/${project}/networks`, token, { name: 'net' })).network
    .id as string;
  return { token, project, network, image };
}
