// Tenants driving the region through its API, as users would: each picks one
// of its VMs and an action that fits the VM's state, against a random API copy.
import type { Rng } from './random.js';

export interface ClientStats {
  operations: number;
  accepted: number;
  /** 4xx answers (a state that moved meanwhile, a conflict): expected under races. */
  refused: number;
  /** 5xx answers and connection errors: expected only while a fault is active. */
  failed: number;
  /** 5xx answers other than etcd/the API being unreachable. */
  unexpected: string[];
  /** How many refusals of each code (a sample message each), to see what the region said no to. */
  refusals: Record<string, string>;
}

export interface Tenant {
  token: string;
  project: string;
  network: string;
  /** The image id new VMs boot from. */
  image: string;
}

type Call = (method: string, path: string, token: string, body?: unknown) => Promise<Reply>;
interface Reply {
  status: number;
  body: any;
}

/** Calls a random live API; a connection error is reported as status 0. */
export function apiCaller(urls: () => string[], rng: Rng): Call {
  return async (method, path, token, body) => {
    const url = rng.pick(urls());
    try {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch (err) {
      return { status: 0, body: { error: { code: 'CONNECTION', message: String(err) } } };
    }
  };
}

const ACTIONS_BY_STATE: Record<string, string[]> = {
  running: ['stop', 'restart', 'resize', 'delete'],
  quiesced: ['start', 'resize', 'delete', 'restart'],
  scrub_queue: ['restore'],
  requested: ['delete'],
  unresourced: ['delete'],
};

/** Runs random operations until `stop()` says so; returns what happened. */
export async function runClient(
  tenant: Tenant,
  call: Call,
  rng: Rng,
  stop: () => boolean,
  maxVms: number,
): Promise<ClientStats> {
  const stats: ClientStats = {
    operations: 0,
    accepted: 0,
    refused: 0,
    failed: 0,
    unexpected: [],
    refusals: {},
  };
  const base = `/v1/projects/${tenant.project}/vms`;
  let made = 0;
  while (!stop()) {
    const list = await call('GET', base, tenant.token);
    const vms: { id: string; state: string; cpus: number }[] = list.status === 200 ? list.body.vms : [];
    const live = vms.filter((v) => v.state !== 'closed');
    let res: Reply;
    if (live.length < maxVms && rng.next() < 0.4) {
      const body = { name: `vm${made++}`, cpus: 1, ram: '512MiB', disk: '5GiB', image: tenant.image };
      res = await call('POST', base, tenant.token, { ...body, networks: [tenant.network] });
    } else {
      const candidates = live.filter((v) => ACTIONS_BY_STATE[v.state]);
      if (candidates.length === 0) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const vm = rng.pick(candidates);
      const action = rng.pick(ACTIONS_BY_STATE[vm.state]!);
      if (action === 'delete') res = await call('DELETE', `${base}/${vm.id}`, tenant.token);
      else if (action === 'resize')
        res = await call('POST', `${base}/${vm.id}/resize`, tenant.token, { cpus: vm.cpus === 1 ? 2 : 1 });
      else res = await call('POST', `${base}/${vm.id}/${action}`, tenant.token);
    }
    stats.operations++;
    if (res.status >= 200 && res.status < 300) stats.accepted++;
    else if (res.status >= 400 && res.status < 500) {
      stats.refused++;
      stats.refusals[res.body?.error?.code ?? res.status] = res.body?.error?.message;
    } else {
      stats.failed++;
      const code = res.body?.error?.code;
      if (res.status >= 500 && code !== 'NUBO_STORE_UNAVAILABLE' && code !== 'NUBO_NO_CAPACITY')
        stats.unexpected.push(`${res.status} ${code}: ${res.body?.error?.message}`);
    }
    await new Promise((r) => setTimeout(r, rng.int(20, 150)));
  }
  return stats;
}
