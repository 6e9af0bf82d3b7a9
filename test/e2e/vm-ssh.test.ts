// The whole region for real: API, scheduler, host daemon with libvirt/QEMU
// (TCG here), PodNet, metadata, lifecycle and the Debian guest image. A user
// gets a VM, the guest takes its SLAAC address from the project router, its
// init agent fetches the owner's key from the metadata service through the
// router, and we log in over SSH with that key. Then stop, start, delete,
// restore, delete for good, and check nothing of the test is left anywhere.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { keyLayout, Project, Store, Vm } from '@nubo/shared';
import { ed25519KeyPair, requireRoot, requireTool } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Region, type RegionInfo } from '../../scripts/region/region.js';
import { Api, type VmView, waitVm } from './api.js';
import { type SshTarget, sshWhenUp } from './ssh.js';

const virsh = (...args: string[]) =>
  execFileSync('/usr/bin/virsh', ['-c', 'qemu:///system', ...args], { encoding: 'utf8' });
const links = () => execFileSync('/usr/sbin/ip', ['-br', 'link'], { encoding: 'utf8' });
/** The interfaces on a bridge ('' when it has none or does not exist). */
const portsOf = (bridge: string) =>
  execFileSync('/usr/sbin/ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8', stdio: 'pipe' });
const namespaces = () => execFileSync('/usr/sbin/ip', ['netns', 'list'], { encoding: 'utf8' });

/**
 * Logs in once the guest is up; a failure carries the end of the guest's
 * serial console (boot script and init agent lines), which says why.
 */
async function sshToVm(target: SshTarget, command: string): Promise<string> {
  try {
    return await sshWhenUp(target, command);
  } catch (err) {
    const consoleLog = join(info.plan.runDir, 'host', 'console', `nubo-${vm.id}.serial`);
    const tail = existsSync(consoleLog)
      ? readFileSync(consoleLog, 'utf8').split('\n').slice(-40).join('\n')
      : '(none)';
    throw new Error(`${(err as Error).message}\nguest console (last 40 lines):\n${tail}`);
  }
}

/** A boot under TCG on a loaded machine can take a minute; each step boots at most once. */
const STEP_TIMEOUT_MS = 300_000;

/** PIDs whose command line names `text` (a QEMU of the VM would). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Polls an etcd record until `done` holds for it (undefined once deleted). */
async function waitRecord(store: Store, key: string, done: (v: Vm | undefined) => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (done((await store.get(key, Vm))?.value)) return;
    await sleep(250);
  }
  throw new Error(`${key} did not reach the expected state`);
}

let info: RegionInfo;
let vm: VmView;

describe('a VM from the API to an SSH login, for real', () => {
  const region = new Region({ scrubIntervalSeconds: 2, say: () => undefined });
  let store: Store;
  let alice: Api;
  let projectId: string;
  let segment: number;
  let vmPath: string;
  let target: SshTarget;
  const keyPair = ed25519KeyPair();

  beforeAll(async () => {
    requireRoot('the end-to-end test');
    const tools = ['/usr/bin/virsh', '/usr/bin/qemu-system-x86_64', '/usr/sbin/radvd', '/usr/sbin/nft'];
    for (const tool of [...tools, '/usr/sbin/debootstrap', '/usr/sbin/sfdisk']) requireTool(tool);
    info = await region.start();
    expect(info.plan.driver).toEqual({ kind: 'libvirt' });
    expect(info.missing).toEqual([]);
    store = new Store({ endpoints: [info.etcd] });
  }, 600_000);

  afterAll(async () => {
    await store?.close().catch(() => undefined);
    await region.stop();
  }, 120_000);

  it(
    'creates a user, a project, a network, a key and a VM, and logs in with the key',
    async () => {
      const admin = new Api(info.apiUrl, info.adminToken);
      const made = await admin.call<{ token: string }>('POST', '/users', { name: 'alice' });
      alice = new Api(info.apiUrl, made.token);
      const { project } = await alice.call<{ project: { id: string } }>('POST', '/projects', {
        name: 'web',
        graceDays: 1,
      });
      projectId = project.id;
      const p = `/projects/${projectId}`;
      const { network } = await alice.call<{ network: { id: string; segment: number } }>(
        'POST',
        `${p}/networks`,
        { name: 'lan' },
      );
      segment = network.segment;
      await alice.call('POST', `${p}/ssh-keys`, { name: 'laptop', publicKey: keyPair.public });
      const created = await alice.call<{ vm: VmView }>('POST', `${p}/vms`, {
        name: 'www',
        cpus: 1,
        ram: '512MiB',
        disk: '2GiB',
        image: 'debian-12',
        networks: [network.id],
        sshKeys: ['laptop'],
      });
      vmPath = `${p}/vms/${created.vm.id}`;
      vm = await waitVm(alice, vmPath, (v) => v.state === 'running');
      expect(virsh('domstate', `nubo-${vm.id}`).trim()).toBe('running');
      // The host daemon made the network's bridge, tagged with the region, and the VM's tap is on it.
      const bridge = `nb${info.plan.tag}${segment}`;
      expect(portsOf(bridge)).toContain(`nt${vm.nics[0]!.mac.replace(/:/g, '')}`);
      expect(portsOf(bridge)).toContain(`nx${info.plan.tag}${segment}`);
      const address = vm.nics[0]?.ipv6;
      expect(address).toMatch(/^fd00:6e75:626f:/);
      target = {
        netns: `${info.plan.routerPrefix}${projectId}`,
        address: address!,
        privateKey: keyPair.private,
      };

      const out = await sshToVm(
        target,
        'hostname; cat /root/.ssh/authorized_keys; ip -6 -o addr show scope global',
      );
      expect(out).toContain('www');
      expect(out).toContain(keyPair.public.split(' ')[1]);
      expect(out).toContain(address);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'stops and starts the VM; the key still logs in',
    async () => {
      await alice.call('POST', `${vmPath}/stop`);
      await waitVm(alice, vmPath, (v) => v.state === 'quiesced');
      expect(virsh('domstate', `nubo-${vm.id}`).trim()).toBe('shut off');
      await alice.call('POST', `${vmPath}/start`);
      await waitVm(alice, vmPath, (v) => v.state === 'running');
      expect(await sshToVm(target, 'echo back')).toBe('back\n');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'deletes the VM into the scrub queue and restores it',
    async () => {
      await alice.call('DELETE', vmPath);
      await waitVm(alice, vmPath, (v) => v.state === 'scrub_queue');
      await alice.call('POST', `${vmPath}/restore`);
      await waitVm(alice, vmPath, (v) => v.state === 'running');
      expect(await sshToVm(target, 'echo restored')).toBe('restored\n');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'deletes the VM for good: domain, disk, tap and its keys are gone',
    async () => {
      // No API shortens a project's grace period yet: the operator does it in etcd.
      const keys = keyLayout();
      await store.update(keys.projects.one(projectId), Project, (p) => ({ ...p, graceDays: 0 }));
      await alice.call('DELETE', vmPath);
      await waitRecord(store, keys.vms.one(vm.id), (v) => v === undefined || v.state === 'closed');
      expect(virsh('list', '--all', '--name')).not.toContain(vm.id);
      const disks = join(info.plan.runDir, 'host', 'disks');
      expect(existsSync(disks) ? readdirSync(disks).filter((f) => f.includes(vm.id)) : []).toEqual([]);
      expect(portsOf(`nb${info.plan.tag}${segment}`)).not.toContain(`nt${vm.nics[0]!.mac.replace(/:/g, '')}`);
      expect(await store.get(keys.macs.one(vm.nics[0]!.mac))).toBeUndefined();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'leaves no namespace, bridge, domain or etcd data behind once the region stops',
    async () => {
      const plan = info.plan;
      await store.close().catch(() => undefined);
      await region.stop();
      expect(namespaces()).not.toContain(plan.routerPrefix);
      expect(namespaces()).not.toContain(plan.lanNetns);
      expect(links()).not.toMatch(
        new RegExp(`${plan.publicBridge}|${plan.trunkHost}|n[bx]${plan.tag}${segment}\\b`),
      );
      // libvirtd went with the region when the region started it: look for QEMU itself.
      expect(processesMentioning(vm.id)).toEqual([]);
      // PodNet's processes in the router namespace: radvd (its config is in the
      // run directory) and the metadata proxy (it forwards to the public gateway).
      expect(processesMentioning(plan.runDir)).toEqual([]);
      expect(processesMentioning(`[${plan.publicGateway}]`)).toEqual([]);
      expect(existsSync(plan.runDir)).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );
});
