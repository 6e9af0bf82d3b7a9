import { NuboError } from '@nubo/shared';
import type { ImageSource, ResolvedImage } from '../image-source.js';

/** An in-memory image store for the fake driver: importing only records the image. */
export class MemoryImageStore implements ImageSource {
  private readonly images = new Map<string, ResolvedImage>();
  imports = 0;

  constructor(private readonly root = '/fake/images') {}

  async resolve(imageId: string): Promise<ResolvedImage> {
    const image = this.images.get(imageId);
    if (!image) throw new NuboError('NUBO_NOT_FOUND', `image ${imageId} is not on this host`);
    return image;
  }

  async import(source: { id: string; format: ResolvedImage['format'] }): Promise<ResolvedImage> {
    this.imports++;
    const image = { path: `${this.root}/${source.id}.${source.format}`, format: source.format };
    this.images.set(source.id, image);
    return image;
  }
}
