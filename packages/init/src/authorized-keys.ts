import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { UserEntry } from './passwd.js';
import { ensureOwnership, realInside, UnsafePathError, writeAtomic } from './safe-fs.js';

export const BEGIN_MARKER =
  '# BEGIN nubo managed keys (rewritten at every boot; add your own keys outside this block)';
export const END_MARKER = '# END nubo managed keys';

/**
 * The file with its managed block replaced by `keys`; every line outside the
 * block (keys added by hand, comments, options) stays where it was. A file
 * without a well-formed block gets one at the end (stray markers are dropped).
 */
export function mergeManagedBlock(existing: string, keys: string[]): string {
  const lines = existing === '' ? [] : existing.replace(/\n$/, '').split('\n');
  const begin = lines.indexOf(BEGIN_MARKER);
  const end = begin >= 0 ? lines.indexOf(END_MARKER, begin + 1) : -1;
  const block = [BEGIN_MARKER, ...keys, END_MARKER];
  let merged: string[];
  if (begin >= 0 && end > begin) {
    merged = [...lines.slice(0, begin), ...block, ...lines.slice(end + 1)];
  } else {
    merged = [...lines.filter((l) => l !== BEGIN_MARKER && l !== END_MARKER), ...block];
  }
  return `${merged.join('\n')}\n`;
}

export interface KeysResult {
  path: string;
  changed: boolean;
}

/**
 * Installs the VM's keys into the user's `~/.ssh/authorized_keys` (0600, in
 * `~/.ssh` 0700, both owned by the user). Nothing is followed outside the
 * user's home: a symlinked `.ssh` or `authorized_keys` that points elsewhere is refused.
 */
export async function installKeys(root: string, user: UserEntry, keys: string[]): Promise<KeysResult> {
  const rootReal = await fs.realpath(root);
  const home = await realInside(rootReal, join(rootReal, user.home));
  if (!home) throw new Error(`the home of ${user.name} (${user.home}) does not exist`);
  const own = { uid: user.uid, gid: user.gid };
  const sshDir = await sshDirectory(home, own);
  let changed = sshDir.created;
  const target =
    (await realInside(home, join(sshDir.path, 'authorized_keys'))) ?? join(sshDir.path, 'authorized_keys');
  const existing = await fs.readFile(target, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  const wanted = mergeManagedBlock(existing ?? '', keys);
  if (wanted !== existing) {
    await writeAtomic(target, wanted, { ...own, mode: 0o600 });
    changed = true;
  } else if (await ensureOwnership(target, { ...own, mode: 0o600 })) changed = true;
  if (await ensureOwnership(sshDir.path, { ...own, mode: 0o700 })) changed = true;
  return { path: target, changed };
}

async function sshDirectory(home: string, own: { uid: number; gid: number }) {
  const path = join(home, '.ssh');
  const real = await realInside(home, path);
  if (real) {
    if (!(await fs.stat(real)).isDirectory()) throw new UnsafePathError(`${path} is not a directory`);
    return { path: real, created: false };
  }
  await fs.mkdir(path, { mode: 0o700 });
  await fs.chown(path, own.uid, own.gid);
  return { path, created: true };
}
