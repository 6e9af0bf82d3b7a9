import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** The command line of a live process, or undefined when there is none. */
export function cmdlineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw ? raw.split('\0').filter(Boolean) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The PID in a pid file, if that process is alive and is the one we started:
 * its command line must contain `marker` (a path only it uses), so a PID
 * reused by someone else is never taken for ours.
 */
export async function livePid(pidFile: string, marker: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const cmdline = cmdlineOf(pid);
  if (!cmdline) return undefined;
  return cmdline.some((arg) => arg.includes(marker)) || environOf(pid).includes(marker) ? pid : undefined;
}

/** A process's environment as one string (charon is told its config through STRONGSWAN_CONF). */
function environOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

/** Stops our process (SIGTERM, then SIGKILL after `graceMs`) and removes its pid file. */
export async function stopByPidFile(pidFile: string, marker: string, graceMs = 2_000): Promise<void> {
  const pid = await livePid(pidFile, marker);
  if (pid !== undefined) {
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (cmdlineOf(pid) && Date.now() < deadline) await sleep(25);
    if (cmdlineOf(pid)) signal(pid, 'SIGKILL');
    while (cmdlineOf(pid)) await sleep(10);
  }
  await rm(pidFile, { force: true });
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Waits until a pid file names a live process with the marker. */
export async function waitForPid(pidFile: string, marker: string, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = await livePid(pidFile, marker);
    if (pid !== undefined) return pid;
    if (Date.now() > deadline) throw new Error(`${pidFile}: process did not start`);
    await sleep(25);
  }
}
