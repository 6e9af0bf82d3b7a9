import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export class UnsafePathError extends Error {
  override name = 'UnsafePathError';
}

/** True when `path` is `dir` or below it (both real paths). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/**
 * The real path of `path` when it exists, refusing a symlink (anywhere on the
 * way) that leads outside `boundary`; undefined when nothing is there.
 */
export async function realInside(boundary: string, path: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await fs.realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const link = await fs.lstat(path).catch(() => undefined);
    if (link?.isSymbolicLink())
      throw new UnsafePathError(`${path} is a dangling symlink; refusing to follow it`);
    return undefined;
  }
  if (!isInside(boundary, real)) {
    throw new UnsafePathError(`${path} leads to ${real}, outside ${boundary}; refusing to follow it`);
  }
  return real;
}

export interface Ownership {
  uid: number;
  gid: number;
  mode: number;
}

/**
 * Replaces a file atomically: a new temp file next to it (O_EXCL, O_NOFOLLOW,
 * the final mode and owner from the start), fsync, rename over the target,
 * fsync of the directory. Readers see the old file or the new one, never half.
 */
export async function writeAtomic(path: string, content: string, own: Ownership): Promise<void> {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.nubo-init.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await fs.open(tmp, flags, own.mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chown(own.uid, own.gid);
    await handle.chmod(own.mode);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await fs.rename(tmp, path);
  const dir = await fs.open(dirname(path), constants.O_RDONLY);
  await dir.sync().finally(() => dir.close());
}

/** Sets owner and mode only where they differ; returns whether anything changed. */
export async function ensureOwnership(path: string, own: Ownership): Promise<boolean> {
  const st = await fs.lstat(path);
  let changed = false;
  if (st.uid !== own.uid || st.gid !== own.gid) {
    await fs.lchown(path, own.uid, own.gid);
    changed = true;
  }
  if ((st.mode & 0o7777) !== own.mode) {
    await fs.chmod(path, own.mode);
    changed = true;
  }
  return changed;
}
