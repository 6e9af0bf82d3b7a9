import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NuboError } from '@nubo/shared';
import type { HostConfig } from './config.js';
import type { HypervisorDriver } from './driver.js';
import { FakeDriver } from './drivers/fake.js';
import { MemoryImageStore } from './drivers/fake-images.js';
import { HypervDriver } from './drivers/hyperv/driver.js';
import { HypervImageCatalog } from './drivers/hyperv/image-catalog.js';
import { LocalPowerShell, type SshTarget, SshTransport } from './drivers/hyperv/transport.js';
import { LibvirtDriver } from './drivers/libvirt/driver.js';
import type { LibvirtUri } from './drivers/libvirt/virsh.js';
import type { ImageSource } from './image-source.js';
import { FsImageStore } from './images/fs-store.js';

/** The driver and image store the configuration asks for. */
export function createDriver(config: HostConfig): { driver: HypervisorDriver; images: ImageSource } {
  if (config.driver === 'fake') return { driver: new FakeDriver(), images: new MemoryImageStore() };
  if (config.driver === 'libvirt') {
    const images = new FsImageStore({
      fileStoreDir: config.fileStore,
      imagesDir: join(config.dataDir, 'images'),
      overlaysDir: join(config.dataDir, 'disks'),
    });
    const driver = new LibvirtDriver({
      uri: config.libvirtUri as LibvirtUri,
      images,
      logDir: join(config.dataDir, 'console'),
    });
    return { driver, images };
  }
  return createHypervDriver(config);
}

/** Hyper-V over SSH to the Windows host (or local pwsh); see docs/drivers.md. */
function createHypervDriver(config: HostConfig): { driver: HypervisorDriver; images: ImageSource } {
  const transport =
    config.hypervTransport === 'local' ? new LocalPowerShell() : new SshTransport(sshTarget(config));
  const images = new HypervImageCatalog(config.hypervImagesDir);
  return { driver: new HypervDriver({ transport, diskDir: config.hypervDiskDir }), images };
}

function sshTarget(config: HostConfig): SshTarget {
  const missing = (['hypervHost', 'hypervKeyFile', 'hypervHostKeySha256'] as const).filter((k) => !config[k]);
  if (missing.length > 0) {
    throw new NuboError('NUBO_CONFIG', `the hyperv driver over SSH needs ${missing.join(', ')}`, {
      details: missing.map((k) => ({ field: `/${k}`, message: 'is required for driver hyperv' })),
    });
  }
  return {
    host: config.hypervHost,
    port: config.hypervPort,
    username: config.hypervUser,
    privateKey: readFileSync(config.hypervKeyFile),
    hostKeySha256: config.hypervHostKeySha256,
  };
}
