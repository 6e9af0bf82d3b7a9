import { join } from 'node:path';
import { NuboError } from '@nubo/shared';
import type { HostConfig } from './config.js';
import type { HypervisorDriver } from './driver.js';
import { FakeDriver } from './drivers/fake.js';
import { MemoryImageStore } from './drivers/fake-images.js';
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
  throw new NuboError('NUBO_CONFIG', `driver ${config.driver} is not available in this build`, {
    details: [{ field: '/driver', message: 'use libvirt or fake' }],
  });
}
