import { FloatingIp, type Keys, Network, SshKey, type TSchema, Vm, VpnTunnel } from '@nubo/shared';
import { deriveNetwork, deriveSshKey } from './derive-others.js';
import { deriveFloatingIp, deriveVpnTunnel } from './derive-podnet.js';
import { deriveVm } from './derive-vm.js';
import type { Deriver } from './derived.js';

/** A prefix the lifecycle daemon follows, the schema of its records, and what a change means. */
export interface Source {
  name: string;
  prefix: string;
  schema: TSchema;
  derive: Deriver<unknown>;
}

export function defaultSources(keys: Keys): Source[] {
  return [
    { name: 'vms', prefix: keys.vms.prefix, schema: Vm, derive: deriveVm as Deriver<unknown> },
    {
      name: 'networks',
      prefix: keys.networks.prefix,
      schema: Network,
      derive: deriveNetwork as Deriver<unknown>,
    },
    {
      name: 'ssh-keys',
      prefix: keys.sshKeys.prefix,
      schema: SshKey,
      derive: deriveSshKey as Deriver<unknown>,
    },
    {
      name: 'vpn-tunnels',
      prefix: keys.vpnTunnels.prefix,
      schema: VpnTunnel,
      derive: deriveVpnTunnel as Deriver<unknown>,
    },
    {
      name: 'floating-ips',
      prefix: keys.floatingIps.prefix,
      schema: FloatingIp,
      derive: deriveFloatingIp as Deriver<unknown>,
    },
  ];
}
