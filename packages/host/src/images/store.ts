import type { Image, ImageFormat } from '@nubo/shared';
import type { DirectBoot } from './boot-files.js';

/** A base image as a hypervisor opens it. */
export interface BaseImage {
  path: string;
  format: ImageFormat;
}

/** What the store knows of an imported image. */
export interface StoredImage extends BaseImage {
  id: string;
  sizeBytes: number;
  sha256: string;
  /** Kernel, initrd and command line for direct kernel boot, when the image carries them. */
  boot?: DirectBoot;
}

/** The fields of an `Image` record an import needs. */
export type ImportSource = Pick<Image, 'id' | 'source' | 'format'> & { sha256?: string };

/**
 * Where a host keeps base images and the per-VM disks layered on them. Every
 * method is idempotent, so a host daemon can repeat a step after a crash.
 */
export interface ImageStore {
  /** Copies an image from the region's file store, checking its format and checksum. */
  import(source: ImportSource): Promise<StoredImage>;
  /** The image as a hypervisor opens it; NUBO_NOT_FOUND when it was never imported. */
  resolve(imageId: string): Promise<StoredImage>;
  /** Removes a base image (callers make sure no VM still uses it). */
  remove(imageId: string): Promise<void>;

  /** Creates the VM's disk: a copy-on-write overlay of `base`, at least `sizeGiB` large. */
  createOverlay(vmId: string, base: BaseImage, sizeGiB: number): Promise<string>;
  /** Grows the VM's disk to `sizeGiB`; never shrinks it. */
  growOverlay(vmId: string, sizeGiB: number): Promise<void>;
  deleteOverlay(vmId: string): Promise<void>;
  overlayPath(vmId: string): string;
  /** The VM ids that have a disk here, so a reconcile can account for every disk. */
  listOverlays(): Promise<string[]>;
}
