import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type DomainSpec,
  ensureLibvirtd,
  FsImageStore,
  imageInfo,
  type LibvirtDaemons,
  LibvirtDriver,
  QEMU_IMG,
  tapName,
  VIRSH,
} from '@nubo/host';
import { randomMac } from '@nubo/shared';
import { requireRoot, requireTool } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyGuest } from './guest.js';

// A real libvirtd with QEMU (TCG here: no usable KVM), started by the test when
// it is not running and stopped afterwards by the PIDs it started.
let root: string;
let daemons: LibvirtDaemons;
let driver: LibvirtDriver;
let spec: DomainSpec;

beforeAll(async () => {
  requireRoot('the libvirt test');
  for (const tool of [VIRSH, QEMU_IMG, '/usr/bin/qemu-system-x86_64', '/usr/sbin/libvirtd'])
    requireTool(tool);
  const guest = await tinyGuest();
  root = await mkdtemp(join(tmpdir(), 'nubo-libvirt-qemu-'));
  daemons = await ensureLibvirtd({ logDir: join(root, 'daemons') });
  const store = new FsImageStore({
    fileStoreDir: guest.dir,
    imagesDir: join(root, 'images'),
    overlaysDir: join(root, 'disks'),
  });
  const image = await store.import({ id: randomUUID(), source: guest.file, format: 'raw' });
  driver = new LibvirtDriver({
    uri: 'qemu:///system',
    images: store,
    logDir: join(root, 'logs'),
    stopTimeoutMs: 30_000,
  });
  spec = {
    vmId: randomUUID(),
    hostname: 'tiny',
    cpus: 1,
    ramMiB: 256,
    diskGiB: 1,
    image,
    nics: [{ mac: randomMac(), networkId: randomUUID() }],
  };
}, 300_000);

afterAll(async () => {
  if (driver && spec) await driver.destroy(spec.vmId).catch(() => {});
  await daemons?.stop();
  if (root) await rm(root, { recursive: true, force: true });
}, 60_000);

const mine = async () => (await driver.list()).find((d) => d.vmId === spec.vmId);
const serial = () => readFile(driver.serialLog(spec.vmId), 'utf8').catch(() => '');
const linkExists = (dev: string) =>
  promisify(execFile)('/usr/sbin/ip', ['link', 'show', dev]).then(
    () => true,
    () => false,
  );

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; serial log:\n${await serial()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('LibvirtDriver on a real libvirtd with QEMU', () => {
  it('boots a VM, stops it by ACPI, grows it, and destroys it with nothing left behind', async () => {
    expect(await driver.resolveDomainType()).toBe('qemu');
    await driver.define(spec);
    await driver.define(spec);
    expect(await mine()).toEqual({ name: `nubo-${spec.vmId}`, vmId: spec.vmId, power: 'shutoff' });

    await driver.start(spec.vmId);
    await driver.start(spec.vmId);
    await waitFor('the guest to boot', async () => (await serial()).includes('NUBO-GUEST: ready'), 60_000);
    expect(await serial()).toContain(`NUBO-GUEST: nic eth0 ${spec.nics[0]!.mac}`);
    expect(await mine()).toMatchObject({ power: 'running' });
    expect(await linkExists(tapName(spec.nics[0]!.mac))).toBe(true);

    await driver.stop(spec.vmId);
    expect(await serial()).toContain('NUBO-GUEST: ACPI power button, powering off');
    expect(await mine()).toMatchObject({ power: 'shutoff' });
    await driver.stop(spec.vmId);

    await driver.resize({ ...spec, cpus: 2, diskGiB: 2 });
    expect((await imageInfo(driver.diskPath(spec.vmId))).virtualSize).toBe(2 * 1024 ** 3);
    expect(await driver.virsh.run('dominfo', `nubo-${spec.vmId}`)).toMatch(/^CPU\(s\):\s+2$/m);

    await driver.destroy(spec.vmId);
    await driver.destroy(spec.vmId);
    expect(await mine()).toBeUndefined();
    expect(existsSync(driver.diskPath(spec.vmId))).toBe(false);
    expect(existsSync(driver.serialLog(spec.vmId))).toBe(false);
    expect(await linkExists(tapName(spec.nics[0]!.mac))).toBe(false);
  }, 120_000);
});
