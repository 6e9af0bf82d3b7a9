import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './safe-fs.js';

/**
 * Sets the host name: `<root>/etc/hostname`, the `127.0.1.1` line of
 * `<root>/etc/hosts` (Debian's convention) and, on a real guest (root `/`),
 * the running kernel's name. Returns whether anything changed.
 */
export async function setHostname(root: string, hostname: string): Promise<boolean> {
  let changed = await replaceFile(join(root, 'etc/hostname'), `${hostname}\n`);
  const hostsPath = join(root, 'etc/hosts');
  const hosts = await fs.readFile(hostsPath, 'utf8').catch(() => '127.0.0.1\tlocalhost\n');
  changed = (await replaceFile(hostsPath, withHostsEntry(hosts, hostname))) || changed;
  if (root === '/') {
    const current = (await fs.readFile('/proc/sys/kernel/hostname', 'utf8')).trim();
    if (current !== hostname) {
      await fs.writeFile('/proc/sys/kernel/hostname', hostname);
      changed = true;
    }
  }
  return changed;
}

export function withHostsEntry(hosts: string, hostname: string): string {
  const line = `127.0.1.1\t${hostname}`;
  const lines = hosts.replace(/\n$/, '').split('\n');
  const at = lines.findIndex((l) => /^127\.0\.1\.1\s/.test(l));
  if (at >= 0) lines[at] = line;
  else lines.push(line);
  return `${lines.join('\n')}\n`;
}

async function replaceFile(path: string, content: string): Promise<boolean> {
  const current = await fs.readFile(path, 'utf8').catch(() => undefined);
  if (current === content) return false;
  await fs.mkdir(join(path, '..'), { recursive: true });
  await writeAtomic(path, content, { uid: 0, gid: 0, mode: 0o644 });
  return true;
}
