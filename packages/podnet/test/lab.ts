import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export async function sh(cmd: string, args: string[]): Promise<string> {
  return (await exec(cmd, args)).stdout;
}
export const ipn = (ns: string, args: string[]) => sh('ip', ['-n', ns, ...args]);

/**
 * Namespaces and processes one test file makes, all named with a random tag
 * so parallel runs never meet; `dispose()` removes every one of them.
 */
export class Lab {
  readonly tag = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  runDir = '';

  static async create(): Promise<Lab> {
    const lab = new Lab();
    lab.runDir = await mkdtemp(join(tmpdir(), 'nubo-podnet-'));
    return lab;
  }

  /** A namespace of this lab: `pn<tag>-<role>`, loopback up. */
  async netns(role: string): Promise<string> {
    const name = `pn${this.tag}-${role}`;
    await sh('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    await ipn(name, ['link', 'set', 'lo', 'up']);
    return name;
  }

  /** A veth pair between two namespaces. */
  async veth(a: string, aName: string, b: string, bName: string): Promise<void> {
    await ipn(a, ['link', 'add', aName, 'type', 'veth', 'peer', 'name', bName, 'netns', b]);
    await ipn(a, ['link', 'set', aName, 'up']);
    await ipn(b, ['link', 'set', bName, 'up']);
  }

  /** The echo server in a namespace, listening on these ports; resolves once it listens. */
  async echoServer(ns: string, ports: number[]): Promise<void> {
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, fixture('echo-server.mjs'), ...ports.map(String)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.processes.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
    });
  }

  /** An HTTP GET from inside a namespace; the body as JSON, or undefined when it cannot connect. */
  async get(ns: string, url: string, localAddress?: string): Promise<Record<string, unknown> | undefined> {
    try {
      const args = [
        'netns',
        'exec',
        ns,
        process.execPath,
        fixture('get.mjs'),
        url,
        ...(localAddress ? [localAddress] : []),
      ];
      return JSON.parse(await sh('ip', args)) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  async dispose(): Promise<void> {
    for (const p of this.processes) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(
      this.processes.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : 0)),
    );
    for (const ns of this.namespaces) await sh('ip', ['netns', 'del', ns]).catch(() => {});
    await rm(this.runDir, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
