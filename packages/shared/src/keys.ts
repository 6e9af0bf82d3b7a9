/**
 * The etcd key layout, in one place. Every key lives under the region prefix
 * (default `/nubo/`) and every value is JSON, so `etcdctl get --prefix /nubo/`
 * reads as a description of the region. See docs/architecture.md.
 */
export const DEFAULT_PREFIX = '/nubo/';

export type Keys = ReturnType<typeof keyLayout>;

export function keyLayout(prefix = DEFAULT_PREFIX) {
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return {
    prefix: p,
    users: { prefix: `${p}users/`, one: (id: string) => `${p}users/${id}` },
    userNames: { one: (name: string) => `${p}index/user-names/${name}` },
    tokens: { prefix: `${p}tokens/`, one: (hash: string) => `${p}tokens/${hash}` },
    projects: { prefix: `${p}projects/`, one: (id: string) => `${p}projects/${id}` },
    quotaUsage: { one: (project: string) => `${p}quota-usage/${project}` },
    vms: { prefix: `${p}vms/`, one: (id: string) => `${p}vms/${id}` },
    vmNames: { one: (project: string, name: string) => `${p}index/vm-names/${project}/${name}` },
    idempotency: {
      one: (project: string, key: string) => `${p}index/idempotency/${project}/${encodeURIComponent(key)}`,
    },
    sshKeys: {
      prefix: `${p}ssh-keys/`,
      ofProject: (project: string) => `${p}ssh-keys/${project}/`,
      one: (project: string, id: string) => `${p}ssh-keys/${project}/${id}`,
    },
    networks: { prefix: `${p}networks/`, one: (id: string) => `${p}networks/${id}` },
    /** Uniqueness of a network's /64 and segment: one key per value, created in the network's transaction. */
    networkPrefixes: { one: (prefix64: string) => `${p}index/ipv6-prefixes/${prefix64.replace('/', '_')}` },
    segments: { one: (segment: number) => `${p}index/segments/${segment}` },
    images: { prefix: `${p}images/`, one: (id: string) => `${p}images/${id}` },
    hosts: { prefix: `${p}hosts/`, one: (name: string) => `${p}hosts/${name}` },
    /** Present only while the host's lease lives. */
    alive: { prefix: `${p}alive/`, one: (name: string) => `${p}alive/${name}` },
    allocations: { prefix: `${p}allocations/`, one: (host: string) => `${p}allocations/${host}` },
    /** Uniqueness of names of networks, SSH keys and images within a scope (a project id, or `public`). */
    names: {
      one: (kind: 'networks' | 'ssh-keys' | 'images', scope: string, name: string) =>
        `${p}index/names/${kind}/${scope}/${name}`,
    },
    /** Uniqueness of MACs: the key is the MAC, the value the owner. */
    macs: { prefix: `${p}macs/`, one: (mac: string) => `${p}macs/${mac}` },
    requests: {
      scheduler: { prefix: `${p}requests/scheduler/`, one: (id: string) => `${p}requests/scheduler/${id}` },
      host: {
        prefix: `${p}requests/hosts/`,
        ofHost: (host: string) => `${p}requests/hosts/${host}/`,
        one: (host: string, id: string) => `${p}requests/hosts/${host}/${id}`,
      },
    },
    routers: { prefix: `${p}routers/`, one: (project: string) => `${p}routers/${project}` },
    /** Uniqueness of a router's uplink address: the key is the address, the value the project. */
    routerUplinks: { one: (address: string) => `${p}index/router-uplinks/${address}` },
    /** PodNet: per-project firewall rules, floating IPs and VPN tunnels (schemas in schemas/podnet.ts). */
    firewallRules: {
      prefix: `${p}firewall-rules/`,
      ofProject: (project: string) => `${p}firewall-rules/${project}/`,
      one: (project: string, id: string) => `${p}firewall-rules/${project}/${id}`,
    },
    floatingIps: {
      prefix: `${p}floating-ips/`,
      ofProject: (project: string) => `${p}floating-ips/${project}/`,
      one: (project: string, id: string) => `${p}floating-ips/${project}/${id}`,
    },
    vpnTunnels: {
      prefix: `${p}vpn-tunnels/`,
      ofProject: (project: string) => `${p}vpn-tunnels/${project}/`,
      one: (project: string, id: string) => `${p}vpn-tunnels/${project}/${id}`,
    },
    events: {
      prefix: `${p}events/`,
      ofProject: (project: string) => `${p}events/${project}/`,
      one: (project: string, id: string) => `${p}events/${project}/${id}`,
    },
    /** Lifecycle: SKUs and their prices, BOM movements, the watch cursor, the e-mail outbox. */
    skus: { prefix: `${p}skus/`, one: (id: string) => `${p}skus/${id}` },
    bom: {
      prefix: `${p}bom/`,
      ofProject: (project: string) => `${p}bom/${project}/`,
      ofResource: (project: string, resource: string) => `${p}bom/${project}/${resource}/`,
      one: (project: string, resource: string, timeRev: string) =>
        `${p}bom/${project}/${resource}/${timeRev}`,
    },
    /** Per followed prefix (`vms`, `networks`, ...): how far the lifecycle daemon has derived. */
    lifecycle: { cursor: (source: string) => `${p}lifecycle/cursors/${source}` },
    notifications: { prefix: `${p}notifications/`, one: (id: string) => `${p}notifications/${id}` },
    elections: { one: (name: string) => `${p}elections/${name}` },
  } as const;
}
