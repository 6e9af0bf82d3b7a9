import { normalizeIpv6 } from '@nubo/shared';
import { ip, ipJson } from '../linux/exec.js';
import { readAddresses } from '../linux/links.js';
import type { Changes } from './apply-links.js';
import type { RouterDesired } from './desired.js';

/** `2001:DB8::0001/64` and `2001:db8::1/64` are the same address; compare canonical text. */
function canonical(address: string): string {
  const [addr = '', len = ''] = address.split('/');
  return addr.includes(':') ? `${normalizeIpv6(addr)}/${len}` : `${addr}/${len}`;
}

/** Adds missing and removes stray global addresses on the uplink and the bridges; others are left alone. */
export async function applyAddresses(d: RouterDesired, changes: Changes): Promise<void> {
  const current = await readAddresses(d.namespace);
  const wanted = new Map<string, string[]>([
    [d.uplink.name, d.uplink.addresses],
    ...d.networks.map((n): [string, string[]] => [n.bridge, n.addresses]),
  ]);
  for (const [dev, addresses] of wanted) {
    const have = new Set((current.get(dev) ?? []).map(canonical));
    const want = new Set(addresses.map(canonical));
    for (const a of want) {
      if (have.has(a)) continue;
      await ip(d.namespace, ['addr', 'add', a, 'dev', dev, ...(a.includes(':') ? ['nodad'] : [])]);
      changes.push(`added ${a} on ${dev}`);
    }
    for (const a of have) {
      if (want.has(a)) continue;
      await ip(d.namespace, ['addr', 'del', a, 'dev', dev]);
      changes.push(`removed ${a} from ${dev}`);
    }
  }
}

interface RouteInfo {
  dst: string;
  gateway?: string;
  dev?: string;
}

/** The default routes through the region's gateway on the uplink. */
export async function applyRoutes(d: RouterDesired, changes: Changes): Promise<void> {
  for (const [family, gateway] of [
    ['-6', d.routes.gateway6],
    ['-4', d.routes.gateway4],
  ] as const) {
    const routes = await ipJson<RouteInfo>(d.namespace, [family, 'route', 'show', 'default']);
    const have = routes[0];
    if (!gateway) {
      if (have) await ip(d.namespace, [family, 'route', 'del', 'default']);
      continue;
    }
    const same = have?.gateway && canonical(`${have.gateway}/0`) === canonical(`${gateway}/0`);
    if (same && have?.dev === d.uplink.name && routes.length === 1) continue;
    await ip(d.namespace, [family, 'route', 'replace', 'default', 'via', gateway, 'dev', d.uplink.name]);
    changes.push(`default route ${family} via ${gateway}`);
  }
}
