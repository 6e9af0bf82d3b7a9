import { macToLinkLocal, NuboError, type SshKey, type Vm } from '@nubo/shared';
import type { Requester } from './requester.js';
import type { VmIndex } from './vm-index.js';

/** Everything a VM may learn about itself; never anything about another VM. */
export interface VmContext {
  instanceId: string;
  projectId: string;
  name: string;
  hostname: string;
  imageId: string;
  cpus: number;
  ramMiB: number;
  /** The MAC the request came from. */
  mac: string;
  sshKeys: SshKey[];
  userData: string | undefined;
  interfaces: InterfaceContext[];
}

export interface InterfaceContext {
  mac: string;
  ipv6: string;
  networkId: string;
  /** The network's /64, when the network record is known. */
  prefix: string | undefined;
}

/**
 * The context of the VM that owns the requester's MAC. The address must be that
 * NIC's own EUI-64 address in its network (or its link-local one), so a guest
 * that copies another's MAC into a different network's /64 learns nothing.
 */
export function contextFor(index: VmIndex, requester: Requester): VmContext {
  const nic = index.nicByMac(requester.mac);
  const vm = nic ? index.vms.get(nic.vmKey) : undefined;
  if (!nic || !vm || !addressMatches(requester, nic.ipv6)) {
    throw new NuboError('NUBO_NOT_FOUND', `no VM is known at ${requester.address}`, {
      details: [{ field: 'address', message: `no running VM has MAC ${requester.mac} at this address` }],
    });
  }
  return buildContext(index, vm, requester.mac);
}

function addressMatches(requester: Requester, nicAddress: string): boolean {
  return requester.address === nicAddress || requester.address === macToLinkLocal(requester.mac);
}

function buildContext(index: VmIndex, vm: Vm, mac: string): VmContext {
  return {
    instanceId: vm.id,
    projectId: vm.projectId,
    name: vm.name,
    hostname: vm.name,
    imageId: vm.imageId,
    cpus: vm.cpus,
    ramMiB: vm.ramMiB,
    mac,
    sshKeys: vm.sshKeyIds
      .map((id) => index.sshKeys.get(`${vm.projectId}/${id}`))
      .filter((k): k is SshKey => k !== undefined),
    userData: vm.userData,
    interfaces: vm.nics.map((nic) => ({
      mac: nic.mac,
      ipv6: nic.ipv6,
      networkId: nic.networkId,
      prefix: ownNetwork(index, vm, nic.networkId),
    })),
  };
}

/** A network's prefix, only if the network belongs to the VM's project. */
function ownNetwork(index: VmIndex, vm: Vm, networkId: string): string | undefined {
  const network = index.networks.get(networkId);
  return network && network.projectId === vm.projectId ? network.ipv6Prefix : undefined;
}
