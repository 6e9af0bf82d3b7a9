import { kindOf, type LinkInfo } from '../linux/links.js';
import type { TransportSpec } from './desired.js';

/**
 * `ip link add` arguments for a network's transport device: a VLAN
 * subinterface of the private interface, or a VXLAN over the IPv6 underlay.
 * With `target`, the device is created straight into that namespace while its
 * lower device (and the VXLAN socket) stay where `ip -n` runs.
 */
export function transportArgs(name: string, t: TransportSpec, target?: string): string[] {
  const into = target ? ['netns', target] : [];
  if (t.kind === 'vlan') {
    return ['link', 'add', 'link', t.device, 'name', name, ...into, 'type', 'vlan', 'id', `${t.id}`];
  }
  return [
    ...['link', 'add', name, ...into, 'type', 'vxlan', 'id', `${t.vni}`],
    ...(t.local ? ['local', t.local] : []),
    ...['group', t.group, 'dev', t.device, 'dstport', `${t.port}`],
  ];
}

export function transportMatches(link: LinkInfo, t: TransportSpec): boolean {
  const id = link.linkinfo?.info_data?.id;
  return t.kind === 'vxlan'
    ? kindOf(link) === 'vxlan' && id === t.vni
    : kindOf(link) === 'vlan' && id === t.id;
}
