import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { requireTool } from './tools.js';

export const ETCD_BIN = '/usr/bin/etcd';

interface Member {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  process?: ChildProcess;
  /** The last lines etcd wrote to stderr, for the error when it does not come up. */
  stderrTail?: string;
}

export interface EtcdClusterOptions {
  members?: 1 | 3;
  /** Passed to every member, e.g. `--max-txn-ops=2048`. */
  extraArgs?: string[];
  /** The client port of a single member (default: a free port). */
  clientPort?: number;
  /** Keep the data here instead of a new temp dir (it is still removed on dispose). */
  dataDir?: string;
}

/**
 * A real etcd (Debian's etcd-server) on fresh loopback ports in a temp dir,
 * for one test file: `await EtcdCluster.start()` in beforeAll, `dispose()` in
 * afterAll. Members can be stopped and started again to simulate faults.
 */
export class EtcdCluster {
  private constructor(
    private readonly root: string,
    private readonly members: Member[],
    private readonly extraArgs: string[],
  ) {}

  /**
   * Starts a fresh cluster. A member that exits while coming up (its port was
   * taken between picking and binding) makes the whole start go again on new
   * ports, up to three times.
   */
  static async start(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    requireTool(ETCD_BIN);
    for (let attempt = 1; ; attempt++) {
      const cluster = await EtcdCluster.startOnce(options);
      try {
        await cluster.waitHealthy();
        return cluster;
      } catch (err) {
        await cluster.dispose();
        if (attempt >= 3 || !(err instanceof MemberExited)) throw err;
      }
    }
  }

  private static async startOnce(options: EtcdClusterOptions): Promise<EtcdCluster> {
    const root = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'nubo-etcd-')));
    const members: Member[] = [];
    for (let i = 0; i < (options.members ?? 1); i++) {
      members.push({
        name: `m${i}`,
        clientUrl: `http://127.0.0.1:${i === 0 && options.clientPort ? options.clientPort : await freePort()}`,
        peerUrl: `http://127.0.0.1:${await freePort()}`,
        dataDir: join(root, `m${i}`),
      });
    }
    const cluster = new EtcdCluster(root, members, ['--max-txn-ops=4096', ...(options.extraArgs ?? [])]);
    for (let i = 0; i < members.length; i++) cluster.spawnMember(i, 'new');
    return cluster;
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  endpoint(i: number): string {
    return this.members[i]!.clientUrl;
  }

  /** Kills a member (SIGKILL: a crash, and fast; etcd's WAL makes it safe). */
  async stopMember(i: number): Promise<void> {
    const proc = this.members[i]?.process;
    // exitCode stays null when a signal ended it (killed from outside): waiting for 'exit' would never end.
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    this.members[i]!.process = undefined;
  }

  /** Starts a stopped member again on its ports with its data. */
  async startMember(i: number): Promise<void> {
    this.spawnMember(i, 'existing');
    await this.waitHealthy([i]);
  }

  async restartMember(i: number): Promise<void> {
    await this.stopMember(i);
    await this.startMember(i);
  }

  async dispose(): Promise<void> {
    for (let i = 0; i < this.members.length; i++) await this.stopMember(i);
    await rm(this.root, { recursive: true, force: true });
  }

  private spawnMember(i: number, state: 'new' | 'existing'): void {
    const m = this.members[i]!;
    const cluster = this.members.map((x) => `${x.name}=${x.peerUrl}`).join(',');
    const args = [
      '--logger=zap',
      '--log-level=error',
      `--name=${m.name}`,
      `--data-dir=${m.dataDir}`,
      `--listen-client-urls=${m.clientUrl}`,
      `--advertise-client-urls=${m.clientUrl}`,
      `--listen-peer-urls=${m.peerUrl}`,
      `--initial-advertise-peer-urls=${m.peerUrl}`,
      `--initial-cluster=${cluster}`,
      `--initial-cluster-state=${state}`,
      '--initial-cluster-token=nubo-test',
      ...this.extraArgs,
    ];
    m.process = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    m.stderrTail = '';
    m.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      m.stderrTail = (m.stderrTail + chunk).slice(-2000);
    });
  }

  /** Polls /health on the given members until etcd answers `true`. */
  private async waitHealthy(which = this.members.map((_, i) => i), timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const i of which) {
      const m = this.members[i]!;
      const url = `${m.clientUrl}/health`;
      for (;;) {
        if (await isHealthy(url)) break;
        const proc = m.process;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
          throw new MemberExited(`etcd member ${i} exited while coming up: ${m.stderrTail}`);
        }
        if (Date.now() > deadline) {
          throw new Error(`etcd member ${i} at ${url} did not become healthy; its stderr: ${m.stderrTail}`);
        }
        await sleep(50);
      }
    }
  }
}

class MemberExited extends Error {}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}
