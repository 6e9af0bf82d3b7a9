import { chmod, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fieldError, NuboError } from '@nubo/shared';
import { importBootFiles, readBootSidecar } from './boot-files.js';
import { copyHashing, writeAtomically } from './copy.js';
import { createOverlayFile, gibToBytes, growImage, imageInfo } from './qemu-img.js';
import type { BaseImage, ImageStore, ImportSource, StoredImage } from './store.js';

export interface FsImageStoreOptions {
  /** The region's file store, where `Image.source` paths point (read only). */
  fileStoreDir: string;
  /** Base images, one `<image id>.<format>` each, read-only once imported. */
  imagesDir: string;
  /** Per-VM disks, `nubo-<vm id>.qcow2`. */
  overlaysDir: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OVERLAY = /^nubo-([0-9a-f-]{36})\.qcow2$/;

/** The default image store: plain files, qcow2 overlays made with qemu-img. */
export class FsImageStore implements ImageStore {
  constructor(private readonly options: FsImageStoreOptions) {}

  async import(source: ImportSource): Promise<StoredImage> {
    checkId(source.id, '/id');
    const from = this.sourcePath(source.source);
    const existing = await this.resolve(source.id).catch(() => undefined);
    if (existing && (!source.sha256 || existing.sha256 === source.sha256)) return existing;
    await checkFormat(from, source.format);
    const sidecar = await readBootSidecar(from);
    await mkdir(this.options.imagesDir, { recursive: true });
    const path = join(this.options.imagesDir, `${source.id}.${source.format}`);
    const tmp = `${path}.importing`;
    try {
      const { sha256, sizeBytes } = await copyHashing(from, tmp);
      if (source.sha256 && sha256 !== source.sha256)
        throw fieldError(
          'NUBO_VALIDATION',
          '/sha256',
          `the file's sha256 is ${sha256}, not ${source.sha256}`,
        );
      const bootBase = join(this.options.imagesDir, source.id);
      const boot = sidecar
        ? await importBootFiles(from, sidecar, bootBase).catch(async (err: unknown) => {
            await rm(`${bootBase}.kernel`, { force: true });
            throw err;
          })
        : undefined;
      await chmod(tmp, 0o444);
      await rename(tmp, path);
      const stored: StoredImage = { id: source.id, path, format: source.format, sizeBytes, sha256 };
      if (boot) stored.boot = boot;
      await writeAtomically(this.metaPath(source.id), JSON.stringify(stored));
      return stored;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async resolve(imageId: string): Promise<StoredImage> {
    checkId(imageId, '/imageId');
    try {
      const stored = JSON.parse(await readFile(this.metaPath(imageId), 'utf8')) as StoredImage;
      await stat(stored.path);
      return stored;
    } catch {
      throw new NuboError('NUBO_NOT_FOUND', `image ${imageId} is not in this host's image store`);
    }
  }

  async remove(imageId: string): Promise<void> {
    checkId(imageId, '/imageId');
    const stored = await this.resolve(imageId).catch(() => undefined);
    await rm(this.metaPath(imageId), { force: true });
    if (stored) await rm(stored.path, { force: true });
    if (stored?.boot)
      for (const file of [stored.boot.kernel, stored.boot.initrd]) if (file) await rm(file, { force: true });
  }

  async createOverlay(vmId: string, base: BaseImage, sizeGiB: number): Promise<string> {
    const path = this.overlayPath(vmId);
    const wanted = gibToBytes(sizeGiB);
    const current = await imageInfo(path, 'qcow2').catch(() => undefined);
    if (current) {
      if (current.backingFilename !== base.path)
        throw new NuboError(
          'NUBO_IN_USE',
          `${path} already exists on another base (${current.backingFilename})`,
        );
      if (current.virtualSize < wanted) await growImage(path, wanted);
      return path;
    }
    await mkdir(this.options.overlaysDir, { recursive: true });
    const baseSize = (await imageInfo(base.path, base.format)).virtualSize;
    const tmp = `${path}.creating`;
    try {
      await createOverlayFile(tmp, base, Math.max(wanted, baseSize));
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
    return path;
  }

  async growOverlay(vmId: string, sizeGiB: number): Promise<void> {
    const path = this.overlayPath(vmId);
    const wanted = gibToBytes(sizeGiB);
    if ((await imageInfo(path, 'qcow2')).virtualSize < wanted) await growImage(path, wanted);
  }

  async deleteOverlay(vmId: string): Promise<void> {
    await rm(this.overlayPath(vmId), { force: true });
  }

  overlayPath(vmId: string): string {
    checkId(vmId, '/vmId');
    return join(this.options.overlaysDir, `nubo-${vmId}.qcow2`);
  }

  async listOverlays(): Promise<string[]> {
    const names = await readdir(this.options.overlaysDir).catch(() => [] as string[]);
    return names.flatMap((name) => OVERLAY.exec(name)?.[1] ?? []).filter((id) => UUID.test(id));
  }

  private metaPath(imageId: string): string {
    return join(this.options.imagesDir, `${imageId}.json`);
  }

  /** `Image.source` is relative to the file store; nothing outside it may be read. */
  private sourcePath(source: string): string {
    const root = resolve(this.options.fileStoreDir);
    const path = resolve(root, source);
    const rel = relative(root, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
      throw fieldError('NUBO_VALIDATION', '/source', 'must name a file inside the region file store');
    return path;
  }
}

function checkId(id: string, field: string): void {
  if (!UUID.test(id)) throw fieldError('NUBO_VALIDATION', field, 'must be a lower-case UUID');
}

/**
 * The file must really be what the record says: a "raw" file holding a qcow2
 * header, or a qcow2 with a backing file, could make QEMU open host files.
 */
async function checkFormat(path: string, format: string): Promise<void> {
  const probed = await imageInfo(path).catch((err: unknown) => {
    throw fieldError('NUBO_VALIDATION', '/source', `cannot read the image: ${(err as Error).message}`);
  });
  if (probed.format !== format)
    throw fieldError('NUBO_VALIDATION', '/format', `the file is ${probed.format}, not ${format}`);
  if (probed.backingFilename)
    throw fieldError('NUBO_VALIDATION', '/source', 'an image must not have a backing file');
}
