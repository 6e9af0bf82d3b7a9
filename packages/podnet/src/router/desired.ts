import type { FirewallRule, FloatingIp, Network, Project, RouterConfig, Vm, VpnTunnel } from '@nubo/shared';
import { macToEui64, macToLinkLocal } from '@nubo/shared';
import type { PodnetConfig } from '../config.js';
import { bridgeName, namespaceName, stableMac, transportName, UPLINK_IF, uplinkPeerName } from '../names.js';
import { gatewayIpv4, gatewayIpv6 } from './addresses.js';
import { renderRuleset } from './nft.js';
import { renderRadvd } from './radvd-config.js';

/** Everything etcd says about one project that its router depends on. */
export interface ProjectSnapshot {
  project: Project;
  router: RouterConfig;
  networks: Network[];
  vms: Vm[];
  firewallRules: FirewallRule[];
  floatingIps: FloatingIp[];
  vpnTunnels: VpnTunnel[];
}

export type TransportSpec =
  | { kind: 'vxlan'; vni: number; local: string; group: string; device: string; port: number; netns: string }
  | { kind: 'vlan'; id: number; device: string; netns: string };

export interface NetworkDesired {
  id: string;
  segment: number;
  bridge: string;
  mac: string;
  transport: TransportSpec & { name: string };
  /** Gateway addresses on the bridge, `addr/len`. */
  addresses: string[];
  ipv6Prefix: string;
  ipv4Cidr?: string;
  radvdConfig: string;
  /** MAC → the addresses a guest with that MAC may send from. */
  guests: { mac: string; ipv6: string[] }[];
}

/** One project's router as a plain object: what `applyRouter` makes true. */
export interface RouterDesired {
  projectId: string;
  namespace: string;
  uplink: { name: string; mac: string; peer: string; bridge: string; netns: string; addresses: string[] };
  routes: { gateway6?: string; gateway4?: string };
  networks: NetworkDesired[];
  nftRuleset: string;
  proxy: { port: number; upstream: string };
  vpnTunnels: VpnTunnel[];
}

export function desiredRouter(s: ProjectSnapshot, config: PodnetConfig): RouterDesired {
  const namespace = namespaceName(config.namespacePrefix, s.project.id);
  const networks = s.networks
    .filter((n) => n.state === 'active')
    .sort((a, b) => a.segment - b.segment)
    .map((n) => desiredNetwork(n, s, config, namespace));
  const uplinkAddresses = [s.router.uplinkIpv6, ...(s.router.uplinkIpv4 ? [s.router.uplinkIpv4] : [])];
  const floating = [...s.floatingIps].sort((a, b) => a.publicIpv4.localeCompare(b.publicIpv4));
  const desired: Omit<RouterDesired, 'nftRuleset'> = {
    projectId: s.project.id,
    namespace,
    uplink: {
      name: UPLINK_IF,
      mac: stableMac(`${namespace}/uplink`),
      peer: uplinkPeerName(namespace),
      bridge: config.publicBridge,
      netns: config.publicNetns,
      addresses: [...uplinkAddresses, ...floating.map((f) => `${f.publicIpv4}/32`)],
    },
    routes: {
      ...(s.router.gatewayIpv6 ? { gateway6: s.router.gatewayIpv6 } : {}),
      ...(s.router.gatewayIpv4 ? { gateway4: s.router.gatewayIpv4 } : {}),
    },
    networks,
    proxy: { port: config.proxyPort, upstream: config.metadataUrl },
    vpnTunnels: [...s.vpnTunnels].sort((a, b) => a.id.localeCompare(b.id)),
  };
  const nftRuleset = renderRuleset({
    networks,
    uplinkIpv4: s.router.uplinkIpv4?.split('/')[0],
    floatingIps: floating,
    firewallRules: [...s.firewallRules].sort((a, b) => a.id.localeCompare(b.id)),
    proxyPort: config.proxyPort,
    vpn: s.vpnTunnels.length > 0,
  });
  return { ...desired, nftRuleset };
}

function desiredNetwork(
  n: Network,
  s: ProjectSnapshot,
  config: PodnetConfig,
  namespace: string,
): NetworkDesired {
  const addresses = [gatewayIpv6(n.ipv6Prefix), ...(n.ipv4Cidr ? [gatewayIpv4(n.ipv4Cidr)] : [])];
  const bridge = bridgeName(n.segment);
  return {
    id: n.id,
    segment: n.segment,
    bridge,
    mac: stableMac(`${namespace}/${bridge}`),
    transport: { ...transportSpec(n.segment, config), name: transportName(n.segment) },
    addresses,
    ipv6Prefix: n.ipv6Prefix,
    ...(n.ipv4Cidr ? { ipv4Cidr: n.ipv4Cidr } : {}),
    radvdConfig: renderRadvd({ bridge, prefix: n.ipv6Prefix, dns: s.router.dns }),
    guests: guestsOn(n, s.vms),
  };
}

export function transportSpec(segment: number, config: PodnetConfig): TransportSpec {
  if (config.transport === 'vlan') {
    return { kind: 'vlan', id: segment, device: config.privateInterface, netns: config.privateNetns };
  }
  return {
    kind: 'vxlan',
    vni: segment,
    local: config.vxlanLocal,
    group: config.vxlanGroup,
    device: config.vxlanDevice,
    port: config.vxlanPort,
    netns: config.privateNetns,
  };
}

/** The NICs of the project's live VMs on this network, each with its MAC-derived addresses. */
function guestsOn(n: Network, vms: Vm[]): NetworkDesired['guests'] {
  const guests = vms
    .filter((vm) => vm.state !== 'closed')
    .flatMap((vm) => vm.nics.filter((nic) => nic.networkId === n.id))
    .map((nic) => ({ mac: nic.mac, ipv6: [macToLinkLocal(nic.mac), macToEui64(nic.mac, n.ipv6Prefix)] }));
  return guests.sort((a, b) => a.mac.localeCompare(b.mac));
}
