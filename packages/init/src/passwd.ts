import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
  /** The home directory as the guest sees it (not joined to the root). */
  home: string;
}

/** The user's entry in `<root>/etc/passwd`; a missing user is an error naming it. */
export function lookupUser(root: string, name: string): UserEntry {
  const text = readFileSync(join(root, 'etc/passwd'), 'utf8');
  for (const line of text.split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user !== name) continue;
    if (!home || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) {
      throw new Error(`etc/passwd: the entry of ${name} is malformed`);
    }
    return { name, uid: Number(uid), gid: Number(gid), home };
  }
  throw new Error(`user ${name} does not exist in ${join(root, 'etc/passwd')}`);
}
