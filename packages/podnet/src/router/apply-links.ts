import { setTimeout as sleep } from 'node:timers/promises';
import { isNuboError } from '@nubo/shared';
import { ip, ipJson } from '../linux/exec.js';
import { isUp, kindOf, type LinkInfo, readLinks } from '../linux/links.js';
import type { NetworkDesired, RouterDesired, TransportSpec } from './desired.js';
import { transportArgs, transportMatches } from './transport.js';

/** What an apply step did, in words; empty when everything already matched. */
export type Changes = string[];

const MANAGED = /^(br|tr)\d+$/;

/** Makes the router's links match: uplink veth, one bridge and one transport per network; nothing else moves. */
export async function applyLinks(d: RouterDesired, changes: Changes): Promise<void> {
  const links = await readLinks(d.namespace);
  await ensureUplink(d, links.get(d.uplink.name), changes);
  for (const n of d.networks) await ensureNetworkLinks(d.namespace, n, links, changes);
  const wanted = new Set(d.networks.flatMap((n) => [n.bridge, n.transport.name]));
  for (const name of links.keys()) {
    if (MANAGED.test(name) && !wanted.has(name) && links.has(name)) {
      await ip(d.namespace, ['link', 'del', name]);
      changes.push(`deleted link ${name}`);
    }
  }
}

async function ensureUplink(d: RouterDesired, link: LinkInfo | undefined, changes: Changes): Promise<void> {
  const { peer, bridge, netns, name } = d.uplink;
  const pub = netns || undefined;
  if (!link) {
    // A peer left over from a namespace deleted by hand would block the name.
    if ((await ipJson(pub, ['link', 'show'])).some((l) => (l as LinkInfo).ifname === peer)) {
      await ip(pub, ['link', 'del', peer]);
    }
    await ip(pub, ['link', 'add', peer, 'type', 'veth', 'peer', 'name', name, 'netns', d.namespace]);
    changes.push(`created uplink ${name} (peer ${peer})`);
  }
  const [peerLink] = await ipJson<LinkInfo>(pub, ['link', 'show', 'dev', peer]);
  if (peerLink?.master !== bridge || !isUp(peerLink)) {
    await ip(pub, ['link', 'set', peer, 'master', bridge, 'up']);
    if (link) changes.push(`reattached ${peer} to ${bridge}`);
  }
  if (link?.address !== d.uplink.mac) await ip(d.namespace, ['link', 'set', name, 'address', d.uplink.mac]);
  if (!link || !isUp(link)) await ip(d.namespace, ['link', 'set', name, 'up']);
}

async function ensureNetworkLinks(
  ns: string,
  n: NetworkDesired,
  links: Map<string, LinkInfo>,
  changes: Changes,
): Promise<void> {
  const br = links.get(n.bridge);
  if (br && kindOf(br) !== 'bridge') await ip(ns, ['link', 'del', n.bridge]);
  if (!br || kindOf(br) !== 'bridge') {
    await ip(ns, ['link', 'add', n.bridge, 'type', 'bridge']);
    changes.push(`created bridge ${n.bridge}`);
  }
  if (br?.address !== n.mac) await ip(ns, ['link', 'set', n.bridge, 'address', n.mac]);
  if (!br || !isUp(br)) await ip(ns, ['link', 'set', n.bridge, 'up']);
  const tr = links.get(n.transport.name);
  if (tr && !transportMatches(tr, n.transport)) {
    await ip(ns, ['link', 'del', n.transport.name]);
    changes.push(`deleted stale transport ${n.transport.name}`);
  }
  if (!tr || !transportMatches(tr, n.transport)) {
    await createTransport(ns, n.transport);
    changes.push(`created ${n.transport.kind} ${n.transport.name}`);
  }
  if (!tr || tr.master !== n.bridge || !isUp(tr)) {
    await ip(ns, ['link', 'set', n.transport.name, 'master', n.bridge, 'up']);
  }
}

/**
 * A VXLAN with the same VNI in a namespace being torn down (deleted by hand,
 * its processes just stopped) blocks the new one for a moment: retry briefly.
 */
async function createTransport(ns: string, t: TransportSpec & { name: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ip(t.netns || undefined, transportArgs(t.name, t, ns));
      return;
    } catch (err) {
      if (!isNuboError(err) || !/exists/i.test(err.message) || attempt >= 40) throw err;
      await sleep(100);
    }
  }
}
