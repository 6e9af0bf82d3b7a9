import { accessSync, constants } from 'node:fs';

/** Debian packages that provide the tools the tests and the region use. */
export const INSTALL_HINT: Readonly<Record<string, string>> = {
  '/usr/bin/etcd': 'apt-get install -y etcd-server etcd-client',
  '/usr/bin/etcdctl': 'apt-get install -y etcd-client',
  '/usr/bin/virsh': 'apt-get install -y libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu',
  '/usr/bin/qemu-img': 'apt-get install -y qemu-utils',
  '/usr/bin/qemu-system-x86_64': 'apt-get install -y qemu-system-x86',
  '/usr/sbin/radvd': 'apt-get install -y radvd',
  '/usr/sbin/nft': 'apt-get install -y nftables',
  '/usr/sbin/swanctl': 'apt-get install -y strongswan-swanctl charon-systemd',
  '/usr/sbin/charon-systemd': 'apt-get install -y strongswan-swanctl charon-systemd',
  '/usr/bin/curl': 'apt-get install -y curl',
  '/usr/bin/cloud-init': 'apt-get install -y --no-install-recommends cloud-init',
  '/usr/bin/wrk': 'apt-get install -y wrk',
  '/usr/bin/virt-xml-validate': 'apt-get install -y libvirt-clients',
  '/usr/sbin/debootstrap': 'apt-get install -y debootstrap',
  '/usr/sbin/sfdisk': 'apt-get install -y fdisk',
  '/usr/bin/ssh-keygen': 'apt-get install -y openssh-client',
  '/usr/bin/syslinux': 'apt-get install -y syslinux',
  '/usr/bin/mcopy': 'apt-get install -y mtools',
  '/usr/sbin/mkfs.vfat': 'apt-get install -y dosfstools',
};

/**
 * Fails (never skips) when a tool the test needs is missing, with the command
 * that installs it. `npm test` installs them all first (scripts/bootstrap.mjs).
 */
export function requireTool(path: string): string {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    const hint = INSTALL_HINT[path] ?? 'see README.md';
    throw new Error(`${path} is missing; install it with: ${hint} (or run npm test, which installs it)`);
  }
}

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0)
    throw new Error(`${what} needs root (network namespaces, libvirt); run the suite as root`);
}
