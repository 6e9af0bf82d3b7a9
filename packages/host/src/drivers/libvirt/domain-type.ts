import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import type { DomainType } from './domain-xml.js';
import type { Virsh } from './virsh.js';

/** What decides between KVM and TCG, gathered from the machine. */
export interface AccelFacts {
  /** /dev/kvm can be opened for reading and writing. */
  kvmDevice: boolean;
  /** The CPU advertises hardware virtualization (`vmx` or `svm` in /proc/cpuinfo). */
  cpuVirtFlags: boolean;
  /** libvirt offers domains of type `kvm` (`virsh domcapabilities --virttype kvm`). */
  libvirtKvm: boolean;
}

/**
 * KVM only when all three agree. A /dev/kvm without vmx/svm is what a
 * paravirtual sandbox offers: QEMU opens it but cannot run a stock kernel.
 */
export function chooseDomainType(facts: AccelFacts): DomainType {
  return facts.kvmDevice && facts.cpuVirtFlags && facts.libvirtKvm ? 'kvm' : 'qemu';
}

export async function gatherAccelFacts(virsh: Virsh): Promise<AccelFacts> {
  const kvmDevice = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(
    () => true,
    () => false,
  );
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpuVirtFlags = /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
  const libvirtKvm =
    kvmDevice && cpuVirtFlags
      ? await virsh.run('domcapabilities', '--virttype', 'kvm').then(
          (xml) => xml.includes('<domain>kvm</domain>'),
          () => false,
        )
      : false;
  return { kvmDevice, cpuVirtFlags, libvirtKvm };
}

export async function detectDomainType(virsh: Virsh): Promise<DomainType> {
  return chooseDomainType(await gatherAccelFacts(virsh));
}
