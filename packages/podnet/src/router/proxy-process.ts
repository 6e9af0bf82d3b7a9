import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cmdlineOf, livePid, stopByPidFile } from '../linux/process.js';
import type { Changes } from './apply-links.js';
import type { RouterDesired } from './desired.js';

/** The proxy's entry: `dist/proxy/main.js`, or the TypeScript source when running from `src` (tests). */
function proxyMain(): { file: string; nodeArgs: string[] } {
  const js = fileURLToPath(new URL('../proxy/main.js', import.meta.url));
  if (existsSync(js)) return { file: js, nodeArgs: [] };
  return { file: fileURLToPath(new URL('../proxy/main.ts', import.meta.url)), nodeArgs: ['--import', 'tsx'] };
}

const pidFile = (dir: string) => join(dir, 'proxy.pid');

/** Starts the router's metadata proxy inside its namespace, or restarts it when its settings changed. */
export async function ensureProxy(d: RouterDesired, dir: string, changes: Changes): Promise<void> {
  const args = [`${d.proxy.port}`, d.proxy.upstream, d.projectId];
  const pid = await livePid(pidFile(dir), d.projectId);
  if (pid !== undefined) {
    const running = cmdlineOf(pid)?.slice(-3).join(' ');
    if (running === args.join(' ')) return;
    await stopProxy(dir, d.projectId);
  }
  const { file, nodeArgs } = proxyMain();
  const log = openSync(join(dir, 'proxy.log'), 'a');
  const child = spawn('ip', ['netns', 'exec', d.namespace, process.execPath, ...nodeArgs, file, ...args], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('metadata proxy did not start');
  await writeFile(pidFile(dir), `${child.pid}\n`);
  changes.push(`started metadata proxy (pid ${child.pid})`);
}

export async function stopProxy(dir: string, projectId: string): Promise<void> {
  await stopByPidFile(pidFile(dir), projectId);
}
