import type { PodnetConfig } from './config.js';
import { ip } from './linux/exec.js';
import { isUp, kindOf, readLinks } from './linux/links.js';
import { hostBridgeName, hostTransportName } from './names.js';
import { transportSpec } from './router/desired.js';
import { transportArgs, transportMatches } from './router/transport.js';

/** How a hypervisor reaches the project networks: the same transport settings as PodNet's. */
export type HostNetworkOptions = Pick<
  PodnetConfig,
  'transport' | 'privateInterface' | 'vxlanDevice' | 'vxlanLocal' | 'vxlanGroup' | 'vxlanPort'
> & {
  /** The namespace to work in; empty or absent is the host's own. */
  netns?: string;
  /**
   * The bridge's and transport's names instead of `nb<segment>`/`nx<segment>`:
   * a host daemon adds its region's tag, so two regions on one machine never
   * share a bridge (at most 15 characters each).
   */
  names?: HostNetworkNames;
};

export interface HostNetworkNames {
  bridge: string;
  transport: string;
}

/**
 * Makes sure this host has the bridge of a project network (`nb<segment>`)
 * with its VLAN/VXLAN device (`nx<segment>`) in it, both up; returns the
 * bridge a VM's tap joins. Idempotent: what exists and is right is left alone.
 */
export async function ensureHostNetwork(
  segment: number,
  options: HostNetworkOptions,
): Promise<{ bridge: string }> {
  const ns = options.netns || undefined;
  const bridge = options.names?.bridge ?? hostBridgeName(segment);
  const name = options.names?.transport ?? hostTransportName(segment);
  const spec = transportSpec(segment, { ...options, privateNetns: options.netns ?? '' } as PodnetConfig);
  const links = await readLinks(ns);
  const br = links.get(bridge);
  if (!br) await ip(ns, ['link', 'add', bridge, 'type', 'bridge']);
  if (!br || !isUp(br)) await ip(ns, ['link', 'set', bridge, 'up']);
  if (br && kindOf(br) !== 'bridge') throw new Error(`${bridge} exists and is not a bridge`);
  const tr = links.get(name);
  if (tr && !transportMatches(tr, spec)) await ip(ns, ['link', 'del', name]);
  if (!tr || !transportMatches(tr, spec)) await ip(ns, transportArgs(name, spec));
  if (!tr || tr.master !== bridge || !isUp(tr)) await ip(ns, ['link', 'set', name, 'master', bridge, 'up']);
  return { bridge };
}

/** Puts a VM's tap (already created by the hypervisor) on the network's bridge. */
export async function attachTap(
  tap: string,
  segment: number,
  options: Pick<HostNetworkOptions, 'netns' | 'names'> = {},
) {
  const bridge = options.names?.bridge ?? hostBridgeName(segment);
  await ip(options.netns || undefined, ['link', 'set', tap, 'master', bridge, 'up']);
}

/** Removes the network's bridge and transport from this host (when no VM here uses it any more). */
export async function removeHostNetwork(
  segment: number,
  options: Pick<HostNetworkOptions, 'netns' | 'names'> = {},
) {
  const ns = options.netns || undefined;
  const links = await readLinks(ns);
  const names = options.names ?? { transport: hostTransportName(segment), bridge: hostBridgeName(segment) };
  for (const name of [names.transport, names.bridge]) {
    if (links.has(name)) await ip(ns, ['link', 'del', name]);
  }
}
