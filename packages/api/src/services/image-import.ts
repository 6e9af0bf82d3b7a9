import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Image, type ImageFormat } from '@nubo/shared';
import type { ApiContext } from '../context.js';
import type { FileStore } from './file-store.js';

/** qcow2 files start with `QFI\xfb`. */
const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);

export function formatProblem(format: ImageFormat, head: Buffer): string | undefined {
  const isQcow2 = head.equals(QCOW2_MAGIC);
  if (format === 'qcow2' && !isQcow2) return 'the file is not a qcow2 image';
  if (format === 'raw' && isQcow2) return 'the file is a qcow2 image, not raw';
  return undefined;
}

export type ImportFrom = { kind: 'file' } | { kind: 'url'; url: string; scope: string; name: string };

/**
 * Brings an image to `ready`: downloads it first when it comes from a URL,
 * checks the format against the file's first bytes and records its size and
 * SHA-256. Runs after the create has answered; a problem ends in `failed`
 * with the reason. Each state change compares the image's revision.
 */
export async function importImage(ctx: ApiContext, files: FileStore, imageId: string, from: ImportFrom) {
  const key = ctx.keys.images.one(imageId);
  const setState = (change: Partial<Image>) => ctx.store.update(key, Image, (img) => ({ ...img, ...change }));
  try {
    if (from.kind === 'url') {
      await setState({ state: 'importing' });
      const res = await fetch(from.url, { signal: AbortSignal.timeout(30 * 60_000) });
      if (!res.ok || !res.body) throw new Error(`GET ${from.url} answered ${res.status}`);
      const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      await files.write(from.scope, from.name, body, ctx.config.fileLimit);
    }
    const image = await ctx.store.require(key, Image, 'image');
    const info = await files.inspect(image.value.source);
    const problem = formatProblem(image.value.format, info.head);
    if (problem) throw new Error(problem);
    await setState({ state: 'ready', sizeBytes: info.sizeBytes, sha256: info.sha256 });
  } catch (err) {
    ctx.logger.warn({ imageId, err: String(err) }, 'image import failed');
    await setState({ state: 'failed', reason: String((err as Error).message ?? err).slice(0, 1024) }).catch(
      () => {},
    );
  }
}
