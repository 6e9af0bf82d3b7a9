import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runIn } from '../linux/exec.js';
import { livePid, signal, stopByPidFile, waitForPid } from '../linux/process.js';
import type { Changes } from './apply-links.js';
import type { NetworkDesired } from './desired.js';

export const RADVD = '/usr/sbin/radvd';

const files = (dir: string, segment: number) => ({
  conf: join(dir, `radvd-${segment}.conf`),
  pid: join(dir, `radvd-${segment}.pid`),
  log: join(dir, `radvd-${segment}.log`),
});

/**
 * One radvd per network, in the router's namespace, with its own config and
 * pid file. A changed config is reloaded with SIGHUP (no restart); the other
 * networks' radvd are not touched.
 */
export async function ensureRadvd(
  ns: string,
  dir: string,
  n: NetworkDesired,
  changes: Changes,
): Promise<void> {
  const f = files(dir, n.segment);
  const current = await readFile(f.conf, 'utf8').catch(() => undefined);
  if (current !== n.radvdConfig) await writeFile(f.conf, n.radvdConfig);
  const pid = await livePid(f.pid, f.conf);
  if (pid !== undefined) {
    if (current !== n.radvdConfig) {
      signal(pid, 'SIGHUP');
      changes.push(`reloaded radvd for ${n.bridge}`);
    }
    return;
  }
  await rm(f.pid, { force: true });
  // radvd forks into the background and writes its pid file itself.
  await runIn(ns, RADVD, ['-C', f.conf, '-p', f.pid, '-m', 'logfile', '-l', f.log]);
  await waitForPid(f.pid, f.conf);
  changes.push(`started radvd for ${n.bridge}`);
}

/** Stops radvd of networks that are gone (or of every network, with an empty `keep`). */
export async function stopStrayRadvd(dir: string, keep: Set<number>, changes: Changes): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = /^radvd-(\d+)\.conf$/.exec(name);
    if (!m || keep.has(Number(m[1]))) continue;
    const f = files(dir, Number(m[1]));
    await stopByPidFile(f.pid, f.conf);
    await rm(f.conf, { force: true });
    await rm(f.log, { force: true });
    changes.push(`stopped radvd for segment ${m[1]}`);
  }
}
