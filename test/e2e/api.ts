// A small client for the region's API as a user of it would call it.
import { setTimeout as sleep } from 'node:timers/promises';

export class Api {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}

export interface VmView {
  id: string;
  state: string;
  host?: string;
  reason?: string;
  nics: { mac: string; ipv6?: string }[];
}

/** Polls a VM until `done` holds; fails at once on `unresourced` or when it is gone. */
export async function waitVm(
  api: Api,
  path: string,
  done: (vm: VmView) => boolean,
  timeoutMs = 180_000,
): Promise<VmView> {
  const deadline = Date.now() + timeoutMs;
  let last: VmView | undefined;
  while (Date.now() < deadline) {
    last = (await api.call<{ vm: VmView }>('GET', path)).vm;
    if (done(last)) return last;
    if (last.state === 'unresourced') throw new Error(`VM became unresourced: ${last.reason}`);
    await sleep(250);
  }
  throw new Error(`VM still ${last?.state} after ${timeoutMs} ms`);
}
