import { execFile } from 'node:child_process';
import { NuboError } from '@nubo/shared';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a program with an argument array (never a shell) and returns its output.
 * A missing program is NUBO_DEPENDENCY_MISSING; a non-zero exit is
 * NUBO_COMMAND_FAILED carrying the program's own error text.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: { timeoutMs?: number; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT')
          return reject(new NuboError('NUBO_DEPENDENCY_MISSING', `${file} is not installed`));
        const text = stderr.trim() || err.message;
        reject(new CommandError(file, args, text, err));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A command exited non-zero; `stderr` is what it said (callers map known messages to codes). */
export class CommandError extends NuboError {
  override name = 'CommandError';
  readonly stderr: string;
  constructor(file: string, args: readonly string[], stderr: string, cause: unknown) {
    super('NUBO_COMMAND_FAILED', `${file} ${args[0] ?? ''} failed: ${stderr}`, { cause });
    this.stderr = stderr;
  }
}
