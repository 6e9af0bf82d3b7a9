import { execFile } from 'node:child_process';
import { NuboError } from '@nubo/shared';

export interface RunOptions {
  /** Text written to the command's stdin (rulesets, never secrets on the command line). */
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs one program with an argument array (never a shell) and returns its
 * stdout. A failure is NUBO_COMMAND_FAILED with the command and its stderr.
 */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: options.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const what = [cmd, ...args].join(' ');
        reject(
          new NuboError('NUBO_COMMAND_FAILED', `${what}: ${stderr.trim() || err.message}`, { cause: err }),
        );
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a program inside a network namespace (`ip netns exec`). */
export function runIn(netns: string | undefined, cmd: string, args: string[], options?: RunOptions) {
  return netns ? run('ip', ['netns', 'exec', netns, cmd, ...args], options) : run(cmd, args, options);
}

/** `ip` with `-n <netns>` when a namespace is given (no fork of a shell or of `ip netns exec`). */
export function ip(netns: string | undefined, args: string[]): Promise<string> {
  return run('ip', netns ? ['-n', netns, ...args] : args);
}

/** `ip -j ...` parsed; an empty answer is an empty list. */
export async function ipJson<T>(netns: string | undefined, args: string[]): Promise<T[]> {
  const out = await ip(netns, ['-j', ...args]);
  return out.trim() ? (JSON.parse(out) as T[]) : [];
}
