// The chaos region: a 3-member etcd and every daemon as a real process, so a
// fault is a real SIGKILL. Schedulers and APIs run from their built
// dist/main.js (as scripts/region.ts starts them); hosts run host-machine.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUserWithToken } from '@nubo/api';
import { type Keys, keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, freePort, uniquePrefix } from '@nubo/test';
import { readMachine } from './machine-driver.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type Role = 'scheduler' | 'api' | 'host';

export interface Daemon {
  role: Role;
  name: string;
  env: Record<string, string>;
  child?: ChildProcess;
  /** For APIs: where it listens. */
  url?: string;
}

function distMain(pkg: string): string {
  const path = join(root, 'packages', pkg, 'dist', 'main.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build first`);
  return path;
}

export class ChaosRegion {
  readonly daemons: Daemon[] = [];

  private constructor(
    readonly etcd: EtcdCluster,
    readonly store: Store,
    readonly keys: Keys,
    readonly dir: string,
    readonly adminToken: string,
  ) {}

  static async start(): Promise<ChaosRegion> {
    const etcd = await EtcdCluster.start({ members: 3 });
    const store = new Store({ endpoints: etcd.endpoints });
    const keys = keyLayout(uniquePrefix('chaos'));
    const dir = await mkdtemp(join(tmpdir(), 'nubo-chaos-'));
    const admin = await createUserWithToken(store, keys, { name: 'admin', role: 'admin' });
    return new ChaosRegion(etcd, store, keys, dir, admin.secret);
  }

  private baseEnv(): Record<string, string> {
    return {
      NUBO_ETCD_ENDPOINTS: this.etcd.endpoints.join(','),
      NUBO_PREFIX: this.keys.prefix,
      NUBO_LOG_LEVEL: process.env.NUBO_CHAOS_LOG ?? 'fatal',
    };
  }

  async addScheduler(name: string): Promise<Daemon> {
    const env = { ...this.baseEnv(), NUBO_SCHEDULER_ID: name, NUBO_LEASE_TTL_SECONDS: '2' };
    return this.add({ role: 'scheduler', name, env });
  }

  async addApi(name: string): Promise<Daemon> {
    const port = await freePort();
    const env = { ...this.baseEnv(), NUBO_PORT: String(port), NUBO_FILE_STORE_DIR: join(this.dir, 'files') };
    return this.add({ role: 'api', name, env, url: `http://127.0.0.1:${port}` });
  }

  async addHost(name: string): Promise<Daemon> {
    const env = {
      ...this.baseEnv(),
      NUBO_HOSTNAME: name,
      NUBO_DRIVER: 'fake',
      NUBO_LEASE_TTL_SECONDS: '3',
      NUBO_RECONCILE_INTERVAL_MS: '2000',
      NUBO_CHAOS_MACHINE: this.machineFile(name),
    };
    return this.add({ role: 'host', name, env });
  }

  machineFile(host: string): string {
    return join(this.dir, `${host}.machine.json`);
  }

  /** What each host's hypervisor really has (for the invariant checker). */
  observations(): { host: string; domains: string[] }[] {
    return this.daemons
      .filter((d) => d.role === 'host')
      .map((d) => ({
        host: d.name,
        domains: readMachine(this.machineFile(d.name)).domains.map((x) => `nubo-${x.vmId}`),
      }));
  }

  private add(daemon: Daemon): Daemon {
    this.daemons.push(daemon);
    this.spawn(daemon);
    return daemon;
  }

  spawn(d: Daemon): void {
    const args =
      d.role === 'host' ? ['--import', 'tsx', join(root, 'test/chaos/host-machine.ts')] : [distMain(d.role)];
    d.child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...d.env },
      // NUBO_CHAOS_LOG=<level>: every daemon's log lines (pino writes to stdout) go to the test's output.
      stdio: [
        'ignore',
        ...(process.env.NUBO_CHAOS_LOG ? (['inherit', 'inherit'] as const) : (['ignore', 'ignore'] as const)),
      ],
    });
  }

  isUp(d: Daemon): boolean {
    return d.child !== undefined && d.child.exitCode === null && d.child.signalCode === null;
  }

  /** kill -9: no goodbye, leases left to expire. */
  async kill(d: Daemon): Promise<void> {
    const child = d.child;
    if (!child || !this.isUp(d)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    for (const d of this.daemons) await this.kill(d);
    await this.store.deletePrefix(this.keys.prefix).catch(() => {});
    await this.store.close();
    await this.etcd.dispose();
    await rm(this.dir, { recursive: true, force: true });
  }
}
