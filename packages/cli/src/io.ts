/** Where the CLI writes and what it reads from its environment; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** A failure the CLI reports in one line and a non-zero exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code?: string,
    readonly details: { field: string; message: string }[] = [],
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
