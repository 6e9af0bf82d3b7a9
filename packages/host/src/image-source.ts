import type { ImageFormat } from '@nubo/shared';

/** A base image as the hypervisor opens it. */
export interface ResolvedImage {
  path: string;
  format: ImageFormat;
}

/**
 * The part of an image store the host daemon needs to build a DomainSpec:
 * where a base image is, importing it from the region's file store the first
 * time. The filesystem store (images/fs-store.ts) fits it; so does the fake
 * driver's in-memory store.
 */
export interface ImageSource {
  /** NUBO_NOT_FOUND when the image was never imported on this host. */
  resolve(imageId: string): Promise<ResolvedImage>;
  import(source: {
    id: string;
    source: string;
    format: ImageFormat;
    sha256?: string;
  }): Promise<ResolvedImage>;
}
