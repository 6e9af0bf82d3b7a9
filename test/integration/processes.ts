// Daemons as real processes, for tests that kill them (SIGKILL: no goodbye).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export class DaemonProcesses {
  private readonly children: ChildProcess[] = [];

  /** Starts `packages/<pkg>/src/main.ts` under tsx with these NUBO_* settings. */
  start(pkg: 'scheduler' | 'host', env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', `packages/${pkg}/src/main.ts`], {
      cwd: root,
      env: { ...process.env, NUBO_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.children.push(child);
    return child;
  }

  async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async killAll(): Promise<void> {
    for (const child of this.children) await this.kill(child);
  }
}
