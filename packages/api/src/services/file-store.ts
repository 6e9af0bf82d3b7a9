import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fieldError, NuboError } from '@nubo/shared';

/** File names in the store: no slashes, no leading dot, so a name never leaves its directory. */
export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface StoredFile {
  name: string;
  sizeBytes: number;
  modifiedAt: string;
}

/**
 * The region's file store: a directory (shared by every API copy) with one
 * folder per project and one, `public`, for admins' images.
 */
export class FileStore {
  constructor(readonly root: string) {}

  path(scope: string, name: string): string {
    if (!FILE_NAME.test(name)) throw fieldError('NUBO_VALIDATION', 'params/name', 'is not a valid file name');
    return join(this.root, scope, name);
  }

  /** Streams bytes into the store; more than `limit` bytes is 413 and leaves nothing behind. */
  async write(scope: string, name: string, body: NodeJS.ReadableStream, limit: number): Promise<StoredFile> {
    const target = this.path(scope, name);
    const partial = `${dirname(target)}/.${name}.part`;
    await mkdir(dirname(target), { recursive: true });
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit)
          done(new NuboError('NUBO_PAYLOAD_TOO_LARGE', `the file is larger than ${limit} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(partial));
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    return this.stat(scope, name);
  }

  async stat(scope: string, name: string): Promise<StoredFile> {
    try {
      const s = await stat(this.path(scope, name));
      return { name, sizeBytes: s.size, modifiedAt: s.mtime.toISOString() };
    } catch {
      throw new NuboError('NUBO_NOT_FOUND', `file ${name} not found`);
    }
  }

  async list(scope: string): Promise<StoredFile[]> {
    const names = await readdir(join(this.root, scope)).catch(() => [] as string[]);
    const files = names.filter((n) => FILE_NAME.test(n));
    return Promise.all(files.map((n) => this.stat(scope, n)));
  }

  async remove(scope: string, name: string): Promise<void> {
    await this.stat(scope, name);
    await rm(this.path(scope, name), { force: true });
  }

  /** The first bytes of a stored file. */
  async head(relative: string, length = 4): Promise<Buffer> {
    const handle = await open(join(this.root, relative), 'r');
    const head = Buffer.alloc(length);
    await handle.read(head, 0, length, 0).finally(() => handle.close());
    return head;
  }

  /** The SHA-256 and the first bytes (to tell qcow2 from raw) of a stored file. */
  async inspect(relative: string): Promise<{ sha256: string; sizeBytes: number; head: Buffer }> {
    const full = join(this.root, relative);
    const head = await this.head(relative);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(full)) hash.update(chunk as Buffer);
    return { sha256: hash.digest('hex'), sizeBytes: (await stat(full)).size, head };
  }
}
