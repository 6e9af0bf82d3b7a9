import { randomUUID } from 'node:crypto';
import type { Network, Project, RouterConfig, Vm } from '@nubo/shared';
import { macToEui64 } from '@nubo/shared';
import { attachTap, ensureHostNetwork, type HostNetworkOptions, type PodnetConfig } from '../src/index.js';
import { ipn, type Lab, sh } from './lab.js';

/**
 * A small region inside namespaces the test made: `up` holds the public bridge
 * and a server (2001:db8:ff::1, 203.0.113.1), `fab` holds PodNet's underlay
 * end, `hv` plays a hypervisor on the other end of the underlay, and each
 * client is a guest whose "tap" is on the hypervisor's network bridge.
 */
export interface Region {
  up: string;
  fab: string;
  hv: string;
  config: PodnetConfig;
  host: HostNetworkOptions;
}

export const SERVER6 = '2001:db8:ff::1';
export const SERVER4 = '203.0.113.1';

export async function buildRegion(lab: Lab, prefix: string): Promise<Region> {
  const up = await lab.netns('up');
  await ipn(up, ['link', 'add', 'brpub', 'type', 'bridge']);
  // A fixed MAC, as a real uplink has: a bridge's own MAC otherwise follows its ports as routers come and go.
  await ipn(up, ['link', 'set', 'brpub', 'address', '02:00:00:00:00:01']);
  await ipn(up, ['addr', 'add', `${SERVER6}/64`, 'dev', 'brpub', 'nodad']);
  await ipn(up, ['addr', 'add', `${SERVER4}/24`, 'dev', 'brpub']);
  await ipn(up, ['link', 'set', 'brpub', 'up']);
  const fab = await lab.netns('fab');
  const hv = await lab.netns('hv');
  await lab.veth(fab, 'u0', hv, 'u0');
  await ipn(fab, ['addr', 'add', 'fd00:fab::1/64', 'dev', 'u0', 'nodad']);
  await ipn(hv, ['addr', 'add', 'fd00:fab::2/64', 'dev', 'u0', 'nodad']);
  const vxlan = { vxlanDevice: 'u0', vxlanGroup: 'ff05::4789', vxlanPort: 4789, privateInterface: 'u0' };
  const config: PodnetConfig = {
    etcdEndpoints: [],
    etcdPrefix: prefix,
    namespacePrefix: `pt${lab.tag}-`,
    runDir: lab.runDir,
    publicBridge: 'brpub',
    publicNetns: up,
    transport: 'vxlan',
    privateNetns: fab,
    vxlanLocal: 'fd00:fab::1',
    ...vxlan,
    metadataUrl: `http://[${SERVER6}]:8081/base`,
    proxyPort: 8775,
    reconcileIntervalMs: 1_000,
    logLevel: 'silent',
  };
  return {
    up,
    fab,
    hv,
    config,
    host: { transport: 'vxlan', netns: hv, vxlanLocal: 'fd00:fab::2', ...vxlan },
  };
}

/** A guest: a namespace whose eth0 (this MAC, EUI-64 SLAAC) is on the network's bridge on the hypervisor. */
export async function addClient(lab: Lab, region: Region, role: string, network: Network, mac: string) {
  const ns = await lab.netns(role);
  await ensureHostNetwork(network.segment, region.host);
  const tap = `t${role}`;
  await ipn(region.hv, ['link', 'add', tap, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await attachTap(tap, network.segment, { netns: region.hv });
  await ipn(ns, ['link', 'set', 'eth0', 'address', mac]);
  await ipn(ns, ['link', 'set', 'eth0', 'addrgenmode', 'eui64']);
  await sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=0']);
  await ipn(ns, ['link', 'set', 'eth0', 'up']);
  return { ns, address6: macToEui64(mac, network.ipv6Prefix) };
}

const now = () => new Date().toISOString();

export function project(): Project {
  const id = randomUUID();
  return {
    id,
    name: `p${id.slice(0, 6)}`,
    ownerId: randomUUID(),
    members: [],
    quota: { vms: 1, cpus: 1, ramMiB: 64, diskGiB: 1 },
    graceDays: 1,
    createdAt: now(),
  };
}

export function router(projectId: string, n: number): RouterConfig {
  return {
    projectId,
    uplinkIpv6: `2001:db8:ff::${10 + n}/64`,
    gatewayIpv6: SERVER6,
    uplinkIpv4: `203.0.113.${10 + n}/24`,
    gatewayIpv4: SERVER4,
    dns: ['2001:db8:ff::53'],
    createdAt: now(),
  };
}

export function network(projectId: string, segment: number, v6: string, v4?: string): Network {
  return {
    id: randomUUID(),
    projectId,
    name: `n${segment}`,
    ipv6Prefix: v6,
    ...(v4 ? { ipv4Cidr: v4 } : {}),
    segment,
    state: 'active',
    createdAt: now(),
  };
}

export function vm(projectId: string, networkId: string, mac: string, prefix: string): Vm {
  return {
    id: randomUUID(),
    projectId,
    name: `vm${mac.replaceAll(':', '').slice(-4)}`,
    cpus: 1,
    ramMiB: 64,
    diskGiB: 1,
    imageId: randomUUID(),
    nics: [{ networkId, mac, ipv6: macToEui64(mac, prefix) }],
    sshKeyIds: [],
    state: 'running',
    createdAt: now(),
    updatedAt: now(),
  };
}
