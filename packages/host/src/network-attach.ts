import { createHash } from 'node:crypto';
import { ensureHostNetwork, type HostNetworkNames, type HostNetworkOptions } from '@nubo/podnet';
import { fieldError, type Network } from '@nubo/shared';

/**
 * The hypervisor side of the project networks: before a VM with a NIC on a
 * network is defined, this host makes sure the network's bridge exists, with
 * its VLAN or VXLAN device in it (PodNet's `ensureHostNetwork`), and the NIC
 * joins that bridge. Settings are PodNet's own (transport and underlay).
 *
 * Names carry the region's tag, `nb<tag><segment>` and `nx<tag><segment>`,
 * so two regions on one machine (two local regions, or a test beside `npm
 * start`) never share a bridge even when their networks get the same segment.
 */
export interface NetworkAttachOptions
  extends Pick<
    HostNetworkOptions,
    'transport' | 'privateInterface' | 'vxlanDevice' | 'vxlanLocal' | 'vxlanGroup' | 'vxlanPort' | 'netns'
  > {
  /** Four characters [0-9a-z]; see networkTag(). */
  tag: string;
}

const TAG = /^[0-9a-z]{4}$/;

/**
 * The region's tag: the configured one, or four hex digits of the key prefix's
 * hash. Regions on one machine that share a prefix (each local region has
 * its own etcd under the default prefix) must set one each.
 */
export function networkTag(prefix: string, configured = ''): string {
  if (configured === '') return createHash('sha256').update(prefix).digest('hex').slice(0, 4);
  if (!TAG.test(configured))
    throw fieldError('NUBO_CONFIG', '/networkTag', 'must be 4 characters of [0-9a-z]');
  return configured;
}

/** The bridge and transport device of a segment on this host (at most 14 characters). */
export function hostNetworkNames(tag: string, segment: number): HostNetworkNames {
  return { bridge: `nb${tag}${segment}`, transport: `nx${tag}${segment}` };
}

export class NetworkAttach {
  /** One ensure at a time per segment: two VMs built at once on a network share it. */
  private readonly inFlight = new Map<number, Promise<string>>();

  constructor(private readonly options: NetworkAttachOptions) {
    networkTag('', options.tag);
  }

  names(segment: number): HostNetworkNames {
    return hostNetworkNames(this.options.tag, segment);
  }

  /**
   * The network's bridge on this host, made (or repaired) first. Checked at
   * every build, not remembered: a bridge someone deleted is made again.
   */
  ensure(network: Pick<Network, 'segment'>): Promise<string> {
    const { segment } = network;
    const running = this.inFlight.get(segment);
    if (running) return running;
    const { tag: _tag, ...settings } = this.options;
    const names = this.names(segment);
    const made = ensureHostNetwork(segment, { ...settings, names })
      .then(() => names.bridge)
      .finally(() => this.inFlight.delete(segment));
    this.inFlight.set(segment, made);
    return made;
  }
}

/** The settings network-attach needs from the host daemon's configuration. */
export interface NetworkAttachConfig {
  prefix: string;
  transport: '' | 'vlan' | 'vxlan';
  networkTag: string;
  privateInterface: string;
  vxlanDevice: string;
  vxlanLocal: string;
  vxlanGroup: string;
  vxlanPort: number;
}

/** A NetworkAttach when the configuration names a transport; undefined leaves bridges to others. */
export function networkAttachFromConfig(config: NetworkAttachConfig): NetworkAttach | undefined {
  if (config.transport === '') return undefined;
  const { transport, privateInterface, vxlanDevice, vxlanLocal, vxlanGroup, vxlanPort } = config;
  if (transport === 'vlan' && !privateInterface)
    throw fieldError('NUBO_CONFIG', '/privateInterface', 'the VLAN transport needs the private interface');
  if (transport === 'vxlan' && !vxlanDevice)
    throw fieldError('NUBO_CONFIG', '/vxlanDevice', 'the VXLAN transport needs the underlay device');
  return new NetworkAttach({
    tag: networkTag(config.prefix, config.networkTag),
    transport,
    privateInterface,
    vxlanDevice,
    vxlanLocal,
    vxlanGroup,
    vxlanPort,
  });
}
