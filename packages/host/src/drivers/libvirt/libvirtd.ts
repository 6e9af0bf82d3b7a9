import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { NuboError } from '@nubo/shared';
import { runCommand } from '../../images/command.js';

/** The qemu.conf for a machine without libvirt-daemon-system: QEMU as root, no security driver. */
export const QEMU_CONF = `# written by Nubo (packages/host/src/drivers/libvirt/libvirtd.ts)
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
`;

export interface LibvirtDaemons {
  /** PIDs of the daemons this call started (empty when libvirtd was already running). */
  readonly started: number[];
  /**
   * Says this user is done. The last live user stops the daemons a Nubo
   * helper started (their PIDs are recorded); daemons nobody here started are
   * never stopped.
   */
  stop(): Promise<void>;
}

/** Who uses the daemons (`users/<pid>-<n>`) and which PIDs a helper started (`started.json`). */
const STATE_DIR = '/run/nubo/libvirtd';
let userSeq = 0;

const URI = 'qemu:///system';

/**
 * Makes sure virtlogd and libvirtd run, starting them in the background when
 * they do not (a machine without systemd). Prepares what the Debian packages
 * leave to systemd: the `libvirt-qemu` user, the `kvm`/`libvirt-qemu` groups
 * and /etc/libvirt/qemu.conf (written only when absent).
 */
export async function ensureLibvirtd(options: { logDir?: string } = {}): Promise<LibvirtDaemons> {
  const stop = await registerUser();
  if (await libvirtdAnswers()) return { started: [], stop };
  await prepareHost();
  const logDir = options.logDir ?? '/var/log/nubo';
  await mkdir(logDir, { recursive: true });
  const children: ChildProcess[] = [];
  if (!(await canConnect('/run/libvirt/virtlogd-sock')))
    children.push(daemon('/usr/sbin/virtlogd', join(logDir, 'virtlogd.log')));
  children.push(daemon('/usr/sbin/libvirtd', join(logDir, 'libvirtd.log')));
  const deadline = Date.now() + 20_000;
  while (!(await libvirtdAnswers())) {
    if (Date.now() > deadline) {
      await stopPids(pidsOf(children));
      await stop();
      throw new NuboError('NUBO_HYPERVISOR', `libvirtd did not come up; see ${logDir}/libvirtd.log`);
    }
    await sleep(100);
  }
  // A daemon that exited lost a race with one someone else started at the same
  // moment: that one serves us, and is not ours to stop.
  const started = pidsOf(children.filter((c) => c.exitCode === null && c.signalCode === null));
  await writeFile(join(STATE_DIR, 'started.json'), JSON.stringify({ pids: started }));
  return { started, stop };
}

async function registerUser(): Promise<() => Promise<void>> {
  const users = join(STATE_DIR, 'users');
  await mkdir(users, { recursive: true });
  const me = join(users, `${process.pid}-${userSeq++}`);
  await writeFile(me, '');
  return async () => {
    await rm(me, { force: true });
    const others = (await readdir(users)).filter((name) => alive(Number(name.split('-')[0])));
    if (others.length > 0) return;
    const record = join(STATE_DIR, 'started.json');
    const pids = await readFile(record, 'utf8').then(
      (text) => (JSON.parse(text) as { pids: number[] }).pids,
      () => [] as number[],
    );
    await rm(record, { force: true });
    await stopPids((await daemonsOnly(pids)).reverse());
  };
}

/** A socket file can outlive its daemon (SIGKILL); only a connection proves it listens. */
function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Only PIDs that are still libvirtd or virtlogd: a recorded PID may have been reused. */
async function daemonsOnly(pids: number[]): Promise<number[]> {
  const names = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')));
  return pids.filter((_, i) => ['libvirtd', 'virtlogd'].includes(names[i]!.trim()));
}

const pidsOf = (children: ChildProcess[]) => children.flatMap((c) => (c.pid ? [c.pid] : []));

async function libvirtdAnswers(): Promise<boolean> {
  if (!existsSync('/run/libvirt/libvirt-sock')) return false;
  return runCommand('/usr/bin/virsh', ['-c', URI, 'uri'], { timeoutMs: 5_000 }).then(
    () => true,
    () => false,
  );
}

async function prepareHost(): Promise<void> {
  for (const group of ['kvm', 'libvirt-qemu']) {
    if (!(await has('group', group))) await runCommand('/usr/sbin/groupadd', ['--system', group]);
  }
  if (!(await has('passwd', 'libvirt-qemu'))) {
    await runCommand('/usr/sbin/useradd', [
      '--system',
      '--no-create-home',
      '--gid',
      'libvirt-qemu',
      '--groups',
      'kvm',
      '--shell',
      '/usr/sbin/nologin',
      'libvirt-qemu',
    ]);
  }
  if (!existsSync('/etc/libvirt/qemu.conf')) {
    await mkdir('/etc/libvirt', { recursive: true });
    await writeFile('/etc/libvirt/qemu.conf', QEMU_CONF, { flag: 'wx' }).catch(() => {});
  }
}

const has = (db: string, name: string) =>
  runCommand('/usr/bin/getent', [db, name]).then(
    () => true,
    () => false,
  );

function daemon(path: string, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  const child = spawn(path, [], { detached: true, stdio: ['ignore', log, log] });
  child.on('error', () => {});
  child.unref();
  return child;
}

async function stopPids(pids: number[]): Promise<void> {
  for (const pid of pids) {
    if (!alive(pid)) continue;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await sleep(50);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
