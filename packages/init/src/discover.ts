import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Endpoint, endpointFromUrl, HttpError, httpGet } from './http.js';
import type { Instance } from './instance.js';

export const WELL_KNOWN_ADDRESS = 'fd00:ec2::254';
export const LINK_LOCAL_ADDRESS = 'fe80::a9fe:a9fe';
const ATTEMPT_TIMEOUT_MS = 2_000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 4_000;

/**
 * Where the service may be, in order: the configured URL alone; otherwise the
 * well-known `[fd00:ec2::254]`, `[fe80::a9fe:a9fe]` on each interface, and
 * the name `metadata` only when the guest has a resolver or a hosts entry for
 * it (a lookup with neither is a wasted try at every round). Requests leave
 * from the guest's EUI-64 address when it has one, so privacy addresses never
 * hide who is asking.
 */
export function candidates(url: string | undefined, root = '/'): Endpoint[] {
  if (url) return [withSource(endpointFromUrl(url))];
  return [
    withSource({ host: WELL_KNOWN_ADDRESS, port: 80 }),
    ...linkInterfaces().map((iface) => ({ host: `${LINK_LOCAL_ADDRESS}%${iface}`, port: 80 })),
    ...(canResolveName(root) ? [{ host: 'metadata', port: 80 }] : []),
  ];
}

/** A nameserver in resolv.conf, or `metadata` in /etc/hosts. */
function canResolveName(root: string): boolean {
  const read = (file: string) => {
    try {
      return readFileSync(join(root, file), 'utf8');
    } catch {
      return '';
    }
  };
  return (
    /^\s*nameserver\s/m.test(read('etc/resolv.conf')) || /^[^#]*\smetadata(\s|$)/m.test(read('etc/hosts'))
  );
}

/**
 * Waits (polling every 100 ms, at most `ms`) until this guest has its global
 * EUI-64 address, so the agent can start while SLAAC is still under way.
 */
export async function waitForAddress(ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!eui64Address()) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

export interface FetchResult {
  instance: Instance;
  endpoint: Endpoint;
  attempts: number;
}

/** Asks every candidate, round after round with backoff, until one answers or the budget is spent. */
export async function fetchInstance(
  endpoints: Endpoint[],
  budgetMs: number,
  log: (msg: string) => void,
): Promise<FetchResult> {
  const deadline = Date.now() + budgetMs;
  let backoff = BACKOFF_MIN_MS;
  let attempts = 0;
  let lastError = 'no endpoint to ask';
  for (;;) {
    for (const endpoint of endpoints) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`metadata service not reached within ${budgetMs} ms: ${lastError}`);
      attempts++;
      try {
        const body = await httpGet(endpoint, '/v1/instance', Math.min(ATTEMPT_TIMEOUT_MS, left));
        return { instance: JSON.parse(body) as Instance, endpoint, attempts };
      } catch (err) {
        lastError = err instanceof HttpError ? err.message : String((err as Error).message ?? err);
      }
    }
    log(`metadata not available yet (${lastError}); retrying in ${backoff} ms`);
    await sleep(Math.max(0, Math.min(backoff, deadline - Date.now())));
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
  }
}

function linkInterfaces(): string[] {
  return Object.keys(networkInterfaces()).filter((name) => name !== 'lo');
}

/** Global IPv6 destinations are asked from the guest's own EUI-64 address, if it has one. */
function withSource(endpoint: Endpoint): Endpoint {
  if (!endpoint.host.includes(':') || endpoint.host.toLowerCase().startsWith('fe80:')) return endpoint;
  const source = eui64Address();
  return source ? { ...endpoint, localAddress: source } : endpoint;
}

/** A global address of this machine whose interface id is the EUI-64 of its interface's MAC. */
export function eui64Address(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family !== 'IPv6' || a.internal || a.address.toLowerCase().startsWith('fe80:')) continue;
      if (interfaceId(a.address) === eui64Id(a.mac)) return a.address;
    }
  }
  return undefined;
}

function interfaceId(address: string): string {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...new Array(8 - left.length - right.length).fill('0'), ...right];
  return groups
    .slice(4)
    .map((g) => Number.parseInt(g, 16).toString(16).padStart(4, '0'))
    .join('');
}

function eui64Id(mac: string): string {
  const b = mac.split(':').map((h) => Number.parseInt(h, 16));
  const bytes = [(b[0] ?? 0) ^ 0x02, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]];
  return bytes.map((x) => (x ?? 0).toString(16).padStart(2, '0')).join('');
}
