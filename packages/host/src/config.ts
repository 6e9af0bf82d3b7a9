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
  address: Type.Optional(Type.String({ maxLength: 255 })),
  logLevel: Type.String({ default: 'info' }),
});
export type HostConfig = Static<typeof HostConfig>;
