import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DomainSpec,
  FsImageStore,
  imageInfo,
  LibvirtDriver,
  QEMU_IMG,
  runCommand,
  VIRSH,
} from '@nubo/host';
import { requireTool } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// libvirt's built-in test driver runs inside each virsh process: no daemon, and
// no state kept between two calls. It checks what libvirt itself accepts.
let root: string;
let store: FsImageStore;
let driver: LibvirtDriver;
let spec: DomainSpec;

beforeAll(async () => {
  requireTool(VIRSH);
  requireTool(QEMU_IMG);
  root = await mkdtemp(join(tmpdir(), 'nubo-libvirt-test-'));
  await mkdir(join(root, 'files'));
  await runCommand(QEMU_IMG, ['create', '-q', '-f', 'qcow2', join(root, 'files/base.qcow2'), '64M']);
  store = new FsImageStore({
    fileStoreDir: join(root, 'files'),
    imagesDir: join(root, 'images'),
    overlaysDir: join(root, 'disks'),
  });
  const image = await store.import({ id: randomUUID(), source: 'base.qcow2', format: 'qcow2' });
  driver = new LibvirtDriver({ uri: 'test:///default', images: store, logDir: join(root, 'logs') });
  spec = {
    vmId: randomUUID(),
    hostname: 'vm1',
    cpus: 1,
    ramMiB: 256,
    diskGiB: 1,
    image,
    nics: [{ mac: '52:54:00:00:00:01', networkId: randomUUID() }],
  };
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('LibvirtDriver on test:///default', () => {
  it('detects TCG where libvirt offers no KVM', async () => {
    expect(await driver.resolveDomainType()).toBe('qemu');
  });

  it('defines a domain libvirt accepts (define --validate) on a qcow2 overlay', async () => {
    await driver.define(spec);
    await driver.define(spec);
    expect(await imageInfo(driver.diskPath(spec.vmId))).toMatchObject({
      format: 'qcow2',
      backingFilename: spec.image.path,
    });
  });

  it('reports what libvirt refuses as NUBO_HYPERVISOR with libvirt words', async () => {
    const err = await driver.define({ ...spec, vmId: randomUUID(), cpus: 0 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'NUBO_HYPERVISOR' });
    expect(err.message).toMatch(/virsh define: .*vcpu/i);
  });

  it('lists every domain, marking only nubo-<uuid> ones as VMs', async () => {
    expect(await driver.list()).toEqual([{ name: 'test', power: 'running' }]);
  });

  it('reads capacity from nodeinfo and the disk directory', async () => {
    const cap = await driver.capacity();
    expect(cap).toMatchObject({ cpus: 16, ramMiB: 3072 });
    expect(cap.diskGiB).toBeGreaterThanOrEqual(0);
  });

  it('treats an unknown domain as not found, and destroy of it as done', async () => {
    await expect(driver.start(randomUUID())).rejects.toMatchObject({ code: 'NUBO_NOT_FOUND' });
    await expect(driver.stop(randomUUID())).rejects.toMatchObject({ code: 'NUBO_NOT_FOUND' });
    await driver.destroy(spec.vmId);
    await expect(imageInfo(driver.diskPath(spec.vmId))).rejects.toThrow();
  });
});
