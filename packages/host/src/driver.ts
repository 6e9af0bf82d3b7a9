import type { Hypervisor, ImageFormat, Resources } from '@nubo/shared';

/**
 * The hypervisor driver interface: what the host daemon asks of libvirt,
 * Hyper-V or the fake driver. Every method is idempotent (calling it twice
 * does what calling it once does), so a daemon that crashed half-way through
 * a request can simply run it again. Domains are named `nubo-<vm uuid>`.
 */
export interface HypervisorDriver {
  readonly kind: Hypervisor;

  /** What this machine offers (CPUs, RAM, disk for VM images). */
  capacity(): Promise<Resources>;

  /** Every domain the hypervisor knows, Nubo's or not (`vmId` is set for `nubo-<uuid>` names). */
  list(): Promise<DomainInfo[]>;

  /** Creates the VM's disk (an overlay on its base image) and defines the domain; does not start it. */
  define(spec: DomainSpec): Promise<void>;

  start(vmId: string): Promise<void>;

  /** Asks the guest to power off (ACPI); after `timeoutMs` forces it off. */
  stop(vmId: string, options?: { timeoutMs?: number }): Promise<void>;

  reboot(vmId: string): Promise<void>;

  /** Applies new CPU, RAM and disk sizes (disks only grow); the VM is stopped or restarted as needed. */
  resize(spec: DomainSpec): Promise<void>;

  /** Powers off and undefines the domain and deletes its disk. Nothing else is touched. */
  destroy(vmId: string): Promise<void>;

  /** The path of the VM's disk, for a migration to copy (cold: the VM is stopped first). */
  diskPath(vmId: string): string;
}

export type DomainPower = 'running' | 'shutoff' | 'paused' | 'other';

export interface DomainInfo {
  name: string;
  vmId?: string;
  power: DomainPower;
}

export interface DomainNic {
  mac: string;
  networkId: string;
  /** The Linux bridge on this host that carries the network (from PodNet's host side), if any. */
  bridge?: string;
}

/** Everything a driver needs to build one VM, resolved by the host daemon from etcd. */
export interface DomainSpec {
  vmId: string;
  hostname: string;
  cpus: number;
  ramMiB: number;
  diskGiB: number;
  image: { id: string; path: string; format: ImageFormat };
  nics: DomainNic[];
}

export const domainName = (vmId: string): string => `nubo-${vmId}`;

const DOMAIN_NAME = /^nubo-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The VM id inside a Nubo domain name, or undefined for anyone else's domain. */
export function vmIdOfDomain(name: string): string | undefined {
  return DOMAIN_NAME.exec(name)?.[1];
}
