import type * as ChildProcess from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { builtin } from './builtin.js';

export const STATE_DIR = 'var/lib/nubo-init/instances';
export const USER_DATA_LOG = 'var/log/nubo-init-user-data.log';

export type UserDataResult = 'none' | 'already-ran' | 'saved' | { exitCode: number | null };

/**
 * Runs user-data at most once per instance id: a marker is written before the
 * script starts, so a script that reboots the machine is not run again. Only a
 * script (`#!`) is run; anything else (e.g. `#cloud-config`) is saved for
 * cloud-init and reported. Output goes to `<root>/var/log/nubo-init-user-data.log`.
 */
export async function runUserDataOnce(
  root: string,
  instanceId: string,
  userData: string | null,
  timeoutMs: number,
): Promise<UserDataResult> {
  if (!userData) return 'none';
  const dir = join(root, STATE_DIR, instanceId);
  const marker = join(dir, 'user-data.done');
  if (await exists(marker)) return 'already-ran';
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const script = join(dir, 'user-data');
  await fs.writeFile(script, userData, { mode: 0o700 });
  await fs.writeFile(marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
  if (!userData.startsWith('#!')) return 'saved';
  return { exitCode: await runScript(root, script, instanceId, timeoutMs) };
}

async function runScript(
  root: string,
  script: string,
  instanceId: string,
  timeoutMs: number,
): Promise<number | null> {
  const { spawn } = builtin('node:child_process') as typeof ChildProcess;
  await fs.mkdir(join(root, 'var/log'), { recursive: true });
  const log = await fs.open(join(root, USER_DATA_LOG), 'a', 0o600);
  try {
    return await new Promise((resolve) => {
      const child = spawn(script, [], {
        cwd: join(script, '..'),
        stdio: ['ignore', log.fd, log.fd],
        env: { ...process.env, NUBO_INIT_ROOT: root, NUBO_INSTANCE_ID: instanceId },
        timeout: timeoutMs,
      });
      child.on('error', () => resolve(null));
      child.on('exit', (code) => resolve(code));
    });
  } finally {
    await log.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}
