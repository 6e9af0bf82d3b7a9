import type { BomLine, Network, Vm, VmState } from '@nubo/shared';

/**
 * Bills of materials: which SKUs a resource type consumes, and how many. A
 * line marked `whileQuiesced` keeps billing while a VM is stopped (its disk is
 * still kept); the others drop to zero then. Nothing bills before a VM is
 * placed, while it is unresourced, or once it is deleted (scrub queue on).
 */
export interface BomTemplateLine<R> {
  sku: (resource: R) => string;
  quantity: (resource: R) => number;
  per: number;
  whileQuiesced: boolean;
}

export const SKU = {
  vcpu: 'vcpu',
  ramGiB: 'ram-gib',
  diskGiB: 'disk-gib',
  /** An image is licensed when an admin creates the SKU `image-<image id>`; without it, free. */
  imageLicence: (imageId: string) => `image-${imageId}`,
  network: 'network',
  vpnTunnel: 'vpn-tunnel',
  publicIpv4: 'public-ipv4',
} as const;

export const VM_BOM: readonly BomTemplateLine<Vm>[] = [
  { sku: () => SKU.vcpu, quantity: (vm) => vm.cpus, per: 1, whileQuiesced: false },
  { sku: () => SKU.ramGiB, quantity: (vm) => vm.ramMiB, per: 1024, whileQuiesced: false },
  { sku: () => SKU.diskGiB, quantity: (vm) => vm.diskGiB, per: 1, whileQuiesced: true },
  { sku: (vm) => SKU.imageLicence(vm.imageId), quantity: () => 1, per: 1, whileQuiesced: false },
];

export type BillingMode = 'full' | 'quiesced' | 'none';

/** How a VM in this state bills: the whole BOM, the disk only, or nothing. */
export function vmBillingMode(vm: Pick<Vm, 'state' | 'resumeState'>): BillingMode {
  const state: VmState = vm.state;
  switch (state) {
    case 'running':
    case 'quiescing':
    case 'restarting':
      return 'full';
    case 'quiesced':
      return 'quiesced';
    case 'updating':
    case 'migrating':
      return vm.resumeState === 'quiesced' ? 'quiesced' : 'full';
    default:
      return 'none';
  }
}

export function vmBomLines(vm: Vm): BomLine[] {
  const mode = vmBillingMode(vm);
  if (mode === 'none') return [];
  return VM_BOM.filter((l) => mode === 'full' || l.whileQuiesced).map((l) => ({
    sku: l.sku(vm),
    quantity: l.quantity(vm),
    per: l.per,
  }));
}

export function networkBomLines(network: Network): BomLine[] {
  return network.state === 'active' ? [{ sku: SKU.network, quantity: 1, per: 1 }] : [];
}

/** Two BOMs are the same when they have the same lines in any order. */
export function sameLines(a: readonly BomLine[], b: readonly BomLine[]): boolean {
  const norm = (lines: readonly BomLine[]) =>
    lines
      .map((l) => `${l.sku}:${l.quantity}/${l.per}`)
      .sort()
      .join(',');
  return norm(a) === norm(b);
}
