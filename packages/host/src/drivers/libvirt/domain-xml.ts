import type { DomainNic, DomainSpec } from '../../driver.js';
import { domainName } from '../../driver.js';
import type { DirectBoot } from '../../images/boot-files.js';

/** `kvm` where hardware virtualization really works, `qemu` (TCG emulation) elsewhere. */
export type DomainType = 'kvm' | 'qemu';

export interface DomainXmlOptions {
  type: DomainType;
  diskPath: string;
  /** The file the serial console (ttyS0) is logged to. */
  serialLog: string;
  /** Boot this kernel (with its initrd and command line) instead of the disk's boot loader. */
  boot?: DirectBoot;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for an XML attribute or element. */
export function xmlEscape(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** The tap a NIC without a bridge gets: deterministic, 14 characters (Linux allows 15). */
export function tapName(mac: string): string {
  return `nt${mac.replace(/:/g, '')}`;
}

/**
 * The libvirt domain of a VM. ACPI is on (without it the guest cannot power
 * off on request), the disk and NICs are virtio, the serial console goes to a
 * file, and the domain's UUID is the VM's id. A virtio RNG fed from the host's
 * /dev/urandom seeds the guest's kernel at once: without it a fresh guest
 * waits for entropy before the first getrandom() (ssh-keygen, TLS, Node),
 * seconds under emulation.
 */
export function domainXml(spec: DomainSpec, options: DomainXmlOptions): string {
  const e = xmlEscape;
  return [
    `<domain type='${options.type}'>`,
    `  <name>${e(domainName(spec.vmId))}</name>`,
    `  <uuid>${e(spec.vmId)}</uuid>`,
    `  <title>${e(spec.hostname)}</title>`,
    `  <memory unit='MiB'>${e(spec.ramMiB)}</memory>`,
    `  <vcpu placement='static'>${e(spec.cpus)}</vcpu>`,
    `  <os>`,
    `    <type arch='x86_64' machine='pc'>hvm</type>`,
    ...osBoot(options.boot),
    `  </os>`,
    `  <features><acpi/><apic/></features>`,
    ...(options.type === 'kvm' ? [`  <cpu mode='host-passthrough'/>`] : []),
    `  <on_poweroff>destroy</on_poweroff>`,
    `  <on_reboot>restart</on_reboot>`,
    `  <on_crash>destroy</on_crash>`,
    `  <devices>`,
    `    <disk type='file' device='disk'>`,
    `      <driver name='qemu' type='qcow2' discard='unmap'/>`,
    `      <source file='${e(options.diskPath)}'/>`,
    `      <target dev='vda' bus='virtio'/>`,
    `    </disk>`,
    ...spec.nics.flatMap(nicXml),
    `    <serial type='file'>`,
    `      <source path='${e(options.serialLog)}'/>`,
    `      <target port='0'/>`,
    `    </serial>`,
    `    <rng model='virtio'>`,
    `      <backend model='random'>/dev/urandom</backend>`,
    `    </rng>`,
    `    <memballoon model='none'/>`,
    `  </devices>`,
    `</domain>`,
    '',
  ].join('\n');
}

/** Direct kernel boot when the image has a kernel; BIOS from the disk otherwise. */
function osBoot(boot: DirectBoot | undefined): string[] {
  const e = xmlEscape;
  if (!boot) return [`    <boot dev='hd'/>`];
  return [
    `    <kernel>${e(boot.kernel)}</kernel>`,
    ...(boot.initrd ? [`    <initrd>${e(boot.initrd)}</initrd>`] : []),
    `    <cmdline>${e(boot.cmdline)}</cmdline>`,
  ];
}

/**
 * A NIC on the network's bridge when this host has one (its tap named
 * `nt<mac>` either way, so it can be found); otherwise an
 * unattached tap (`type='ethernet'`) that libvirt creates and deletes with the
 * domain, which PodNet can attach later. Never user-mode NAT: a tenant VM must
 * not reach the host's own networks.
 */
function nicXml(nic: DomainNic): string[] {
  const e = xmlEscape;
  const head = nic.bridge
    ? [
        `    <interface type='bridge'>`,
        `      <source bridge='${e(nic.bridge)}'/>`,
        `      <target dev='${e(tapName(nic.mac))}'/>`,
      ]
    : [`    <interface type='ethernet'>`, `      <target dev='${e(tapName(nic.mac))}'/>`];
  return [
    ...head,
    `      <mac address='${e(nic.mac)}'/>`,
    `      <model type='virtio'/>`,
    `    </interface>`,
  ];
}
