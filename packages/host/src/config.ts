import { hostname } from 'node:os';
import { DEFAULT_PREFIX, type Static, Type } from '@nubo/shared';

/** The host daemon's configuration (env prefix `NUBO_`, see docs/host.md). */
export const HostConfig = Type.Object({
  etcdEndpoints: Type.Array(Type.String(), { minItems: 1, default: ['http://127.0.0.1:2379'] }),
  prefix: Type.String({ default: DEFAULT_PREFIX }),
  hostname: Type.String({ minLength: 1, default: hostname() }),
  driver: Type.Union([Type.Literal('libvirt'), Type.Literal('hyperv'), Type.Literal('fake')], {
    default: 'libvirt',
  }),
  /** Capacity overrides; 0 = what the driver reports. */
  capacityCpus: Type.Integer({ minimum: 0, default: 0 }),
  capacityRamMiB: Type.Integer({ minimum: 0, default: 0 }),
  capacityDiskGiB: Type.Integer({ minimum: 0, default: 0 }),
  /** How long after the daemon dies its VMs are declared lost. */
  leaseTtlSeconds: Type.Integer({ minimum: 1, default: 15 }),
  reconcileIntervalMs: Type.Integer({ minimum: 100, default: 20_000 }),
  /** libvirt: connection URI, and where base images, disks and serial logs live. */
  libvirtUri: Type.String({ default: 'qemu:///system' }),
  dataDir: Type.String({ default: '/var/lib/nubo' }),
  /** Where the region's file store is mounted (image sources are paths under it). */
  fileStore: Type.String({ default: '/srv/nubo/images' }),
  /** The Linux bridge of a network, `{segment}` replaced; empty = no bridge. */
  bridgeTemplate: Type.String({ default: '' }),
  /**
   * Host-side project networks (network-attach.ts): with a transport the daemon
   * makes each network's bridge `nb<tag><segment>` itself before a build; the
   * underlay settings are PodNet's (same names). Empty = bridgeTemplate.
   */
  transport: Type.Union([Type.Literal(''), Type.Literal('vlan'), Type.Literal('vxlan')], { default: '' }),
  networkTag: Type.String({ default: '' }),
  privateInterface: Type.String({ maxLength: 15, default: '' }),
  vxlanDevice: Type.String({ maxLength: 15, default: '' }),
  vxlanLocal: Type.String({ default: '' }),
  vxlanGroup: Type.String({ default: 'ff05::4789' }),
  vxlanPort: Type.Integer({ minimum: 1, maximum: 65535, default: 4789 }),
  /**
   * hyperv: the Windows host's OpenSSH (or `local` pwsh), its pinned host-key
   * fingerprint, the user and a private-key FILE (the key is read into memory;
   * it never appears on a command line or in a log), and the Windows
   * directories for base VHDX images and VM disks.
   */
  hypervTransport: Type.Union([Type.Literal('ssh'), Type.Literal('local')], { default: 'ssh' }),
  hypervHost: Type.String({ default: '' }),
  hypervPort: Type.Integer({ minimum: 1, maximum: 65535, default: 22 }),
  hypervUser: Type.String({ default: 'Administrator' }),
  hypervKeyFile: Type.String({ default: '' }),
  hypervHostKeySha256: Type.String({ default: '' }),
  hypervImagesDir: Type.String({ default: 'C:\\Nubo\\Images' }),
  hypervDiskDir: Type.String({ default: 'C:\\Nubo\\Disks' }),
  address: Type.Optional(Type.String({ maxLength: 255 })),
  logLevel: Type.String({ default: 'info' }),
});
export type HostConfig = Static<typeof HostConfig>;
