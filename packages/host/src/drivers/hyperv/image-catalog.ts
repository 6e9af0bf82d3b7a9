import { win32 } from 'node:path';
import { fieldError, type ImageFormat, NuboError } from '@nubo/shared';
import type { ImageSource, ResolvedImage } from '../../image-source.js';

/**
 * Hyper-V's images live on the Windows host, as VHDX files an operator (or a
 * copy job) placed in one directory: an image's `source` names its file there.
 * Importing only records the path; copying images to Windows is not Nubo's
 * job yet (docs/drivers.md).
 */
export class HypervImageCatalog implements ImageSource {
  private readonly images = new Map<string, ResolvedImage>();

  constructor(private readonly imagesDir: string) {}

  async resolve(imageId: string): Promise<ResolvedImage> {
    const image = this.images.get(imageId);
    if (!image) throw new NuboError('NUBO_NOT_FOUND', `image ${imageId} is not known on this Hyper-V host`);
    return image;
  }

  async import(source: { id: string; source: string; format: ImageFormat }): Promise<ResolvedImage> {
    const name = source.source;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(name)) {
      throw fieldError('NUBO_VALIDATION', '/source', `"${name}" is not a plain file name`);
    }
    const image = { path: win32.join(this.imagesDir, name), format: source.format };
    this.images.set(source.id, image);
    return image;
  }
}
