// The region's processes: each package's dist/main.js, with its settings in
// NUBO_* variables and its output in <runDir>/logs/<name>.log. Stopped by the
// PIDs started here, never by name.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './exec.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface ServiceSpec {
  name: string;
  /** Path of the entry point relative to the repository. */
  main: string;
  env: Record<string, string>;
  /** Flags for its Node, before the entry point. */
  nodeFlags?: readonly string[];
}

export interface Started {
  name: string;
  pid: number;
  log: string;
}

export class Services {
  private readonly children: { name: string; child: ChildProcess }[] = [];

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Starts a service; undefined when its package is not built (not there yet). */
  start(spec: ServiceSpec): Started | undefined {
    const main = join(ROOT, spec.main);
    if (!existsSync(main)) return undefined;
    const log = join(this.logDir, `${spec.name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [...(spec.nodeFlags ?? []), main], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`${spec.name} did not start`);
    this.children.push({ name: spec.name, child });
    return { name: spec.name, pid: child.pid, log };
  }

  /** Names of services that have exited. */
  dead(): string[] {
    return this.children
      .filter((c) => c.child.exitCode !== null || c.child.signalCode !== null)
      .map((c) => c.name);
  }

  /** SIGTERM in reverse start order, SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    for (const { child } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const late = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
      if (late) child.kill('SIGKILL');
    }
    this.children.length = 0;
  }
}

/** Waits until `url` answers (any HTTP status) or the deadline passes. */
export async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url).then(
      () => true,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}
