import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsImageStore, imageInfo, QEMU_IMG, runCommand } from '@nubo/host';
import { requireTool } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GIB = 1024 ** 3;
let root: string;
let store: FsImageStore;

beforeAll(async () => {
  requireTool(QEMU_IMG);
  root = await mkdtemp(join(tmpdir(), 'nubo-images-'));
  const files = join(root, 'files');
  await mkdir(files);
  await runCommand(QEMU_IMG, ['create', '-q', '-f', 'qcow2', join(files, 'base.qcow2'), '64M']);
  await writeFile(join(files, 'disk.raw'), Buffer.alloc(1024 * 1024, 7));
  await runCommand(QEMU_IMG, [
    'create',
    '-q',
    '-f',
    'qcow2',
    '-F',
    'raw',
    '-b',
    '/etc/passwd',
    join(files, 'evil.qcow2'),
  ]);
  store = new FsImageStore({
    fileStoreDir: files,
    imagesDir: join(root, 'images'),
    overlaysDir: join(root, 'disks'),
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FsImageStore import', () => {
  it('imports qcow2 and raw images with their sha256, and resolves them', async () => {
    const id = randomUUID();
    const stored = await store.import({ id, source: 'base.qcow2', format: 'qcow2' });
    expect(stored).toMatchObject({ id, format: 'qcow2', path: join(root, 'images', `${id}.qcow2`) });
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await store.resolve(id)).toEqual(stored);
    expect(await store.import({ id, source: 'base.qcow2', format: 'qcow2', sha256: stored.sha256 })).toEqual(
      stored,
    );

    const rawId = randomUUID();
    const raw = await store.import({ id: rawId, source: 'disk.raw', format: 'raw' });
    expect(raw.sizeBytes).toBe(1024 * 1024);
    expect((await imageInfo(raw.path)).format).toBe('raw');
  });

  it('refuses a wrong checksum and leaves nothing behind', async () => {
    const id = randomUUID();
    const err = await store
      .import({ id, source: 'disk.raw', format: 'raw', sha256: 'a'.repeat(64) })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'NUBO_VALIDATION', details: [{ field: '/sha256' }] });
    expect((await readdir(join(root, 'images'))).filter((f) => f.startsWith(id))).toEqual([]);
    await expect(store.resolve(id)).rejects.toMatchObject({ code: 'NUBO_NOT_FOUND' });
  });

  it('refuses a file that is not what the record says, or has a backing file', async () => {
    await expect(
      store.import({ id: randomUUID(), source: 'base.qcow2', format: 'raw' }),
    ).rejects.toMatchObject({
      code: 'NUBO_VALIDATION',
      details: [{ field: '/format' }],
    });
    await expect(
      store.import({ id: randomUUID(), source: 'evil.qcow2', format: 'qcow2' }),
    ).rejects.toMatchObject({
      code: 'NUBO_VALIDATION',
      details: [{ field: '/source' }],
    });
  });

  it('reads nothing outside the file store and checks ids', async () => {
    for (const source of ['../../../etc/passwd', '/etc/passwd', '.'])
      await expect(store.import({ id: randomUUID(), source, format: 'raw' })).rejects.toMatchObject({
        details: [{ field: '/source' }],
      });
    await expect(store.import({ id: '../x', source: 'disk.raw', format: 'raw' })).rejects.toMatchObject({
      details: [{ field: '/id' }],
    });
  });
});

describe('FsImageStore direct-boot files', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  it('imports the kernel, initrd and command line named by <image>.boot.json, checked', async () => {
    const files = join(root, 'files');
    await runCommand(QEMU_IMG, ['create', '-q', '-f', 'qcow2', join(files, 'kb.qcow2'), '64M']);
    await writeFile(join(files, 'kb.vmlinuz'), 'kernel');
    await writeFile(join(files, 'kb.initrd'), 'initrd');
    const sidecar = { kernel: 'kb.vmlinuz', initrd: 'kb.initrd', cmdline: 'root=/dev/vda2 quiet' };
    await writeFile(
      join(files, 'kb.qcow2.boot.json'),
      JSON.stringify({ ...sidecar, kernelSha256: sha('kernel') }),
    );
    const id = randomUUID();
    const stored = await store.import({ id, source: 'kb.qcow2', format: 'qcow2' });
    const images = join(root, 'images');
    expect(stored.boot).toEqual({
      kernel: join(images, `${id}.kernel`),
      initrd: join(images, `${id}.initrd`),
      cmdline: 'root=/dev/vda2 quiet',
    });
    expect(await readFile(stored.boot!.kernel, 'utf8')).toBe('kernel');
    expect((await store.resolve(id)).boot).toEqual(stored.boot);
    await store.remove(id);
    expect((await readdir(images)).filter((f) => f.startsWith(id))).toEqual([]);

    // A wrong checksum, a path instead of a name, a control character: refused, nothing left.
    for (const [bad, field] of [
      [{ ...sidecar, kernelSha256: sha('other') }, '/boot/kernelSha256'],
      [{ ...sidecar, kernel: '../../etc/passwd' }, '/boot/kernel'],
      [{ ...sidecar, initrd: '/etc/shadow' }, '/boot/initrd'],
      [{ ...sidecar, cmdline: 'quiet\ninit=/bin/sh' }, '/boot/cmdline'],
    ] as const) {
      await writeFile(join(files, 'kb.qcow2.boot.json'), JSON.stringify(bad));
      const other = randomUUID();
      await expect(store.import({ id: other, source: 'kb.qcow2', format: 'qcow2' })).rejects.toMatchObject({
        code: 'NUBO_VALIDATION',
        details: [{ field }],
      });
      expect((await readdir(images)).filter((f) => f.startsWith(other))).toEqual([]);
    }
  });
});

describe('FsImageStore overlays', () => {
  it('creates a qcow2 overlay on the base, idempotently, and only grows it', async () => {
    const base = await store.import({ id: randomUUID(), source: 'base.qcow2', format: 'qcow2' });
    const vmId = randomUUID();
    const path = await store.createOverlay(vmId, base, 2);
    expect(path).toBe(join(root, 'disks', `nubo-${vmId}.qcow2`));
    expect(await imageInfo(path)).toMatchObject({
      format: 'qcow2',
      virtualSize: 2 * GIB,
      backingFilename: base.path,
      backingFormat: 'qcow2',
    });
    expect(await store.createOverlay(vmId, base, 2)).toBe(path);
    await store.growOverlay(vmId, 3);
    await store.growOverlay(vmId, 1);
    expect((await imageInfo(path)).virtualSize).toBe(3 * GIB);
    expect(await store.listOverlays()).toContain(vmId);

    await store.deleteOverlay(vmId);
    await store.deleteOverlay(vmId);
    expect(await store.listOverlays()).not.toContain(vmId);
  });

  it('refuses to reuse a disk that sits on another base', async () => {
    const a = await store.import({ id: randomUUID(), source: 'base.qcow2', format: 'qcow2' });
    const b = await store.import({ id: randomUUID(), source: 'disk.raw', format: 'raw' });
    const vmId = randomUUID();
    await store.createOverlay(vmId, a, 1);
    await expect(store.createOverlay(vmId, b, 1)).rejects.toMatchObject({ code: 'NUBO_IN_USE' });
    await store.deleteOverlay(vmId);
  });
});
