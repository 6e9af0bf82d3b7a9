import { createHash } from 'node:crypto';

/**
 * Deterministic names. Inside a router's namespace names are private to it,
 * so they are short and fixed; names in a shared namespace (the public
 * bridge's, a hypervisor's) carry a hash of the project or the segment number.
 * Linux allows 15 characters per interface name.
 */
export const UPLINK_IF = 'up0';

export function namespaceName(prefix: string, projectId: string): string {
  return `${prefix}${projectId}`;
}

export function projectOfNamespace(prefix: string, name: string): string | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(rest) ? rest : undefined;
}

/** 10 hex characters of SHA-256: stable, and spread even when ids share a prefix. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** The uplink veth's end on the public bridge (in the public namespace): `nu` + hash, 12 characters. */
export function uplinkPeerName(namespace: string): string {
  return `nu${shortHash(namespace)}`;
}

/** In the router: the bridge of a network, and its transport device. */
export const bridgeName = (segment: number): string => `br${segment}`;
export const transportName = (segment: number): string => `tr${segment}`;

/** On a hypervisor host: the bridge a VM's tap joins, and its VLAN/VXLAN device. */
export const hostBridgeName = (segment: number): string => `nb${segment}`;
export const hostTransportName = (segment: number): string => `nx${segment}`;

/**
 * A stable, locally administered MAC for a router's link (uplink, network
 * bridges): a router rebuilt after a reboot or a repair keeps its MACs and
 * link-local addresses, so neighbours' caches and guests' default routes stay valid.
 */
export function stableMac(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex').slice(0, 10);
  return `02:${hex.match(/../g)!.join(':')}`;
}
