import { Allocation, Host, HostLiveness, HostRequest, Image, Network, precompile, Vm } from '@nubo/shared';

/** The records a host daemon reads and checks; compiled as it starts (see `precompile`). */
export function precompileHostSchemas(): void {
  precompile([HostRequest, Vm, Image, Network, Host, Allocation, HostLiveness]);
}
