// The one-machine wiring between the hypervisor and PodNet:
//   - a public bridge in the root namespace with the routers' upstream gateway
//     address (the metadata service listens there, reachable by every router);
//   - a veth "trunk" with an IPv6 address at each end: the underlay of the
//     project networks' VXLANs (VNI = segment). The host end is in the root
//     namespace (the host daemon's bridges nb<tag><segment> hold the VMs'
//     taps, packages/host/src/network-attach.ts); the other end sits in
//     a namespace of its own where PodNet's routers take their VXLANs from.
//     VXLAN rather than VLAN: it needs no 8021q module, which containers lack.
// Nothing here is attached to a physical interface: traffic stays on the machine.
import { sh, shQuiet, sleep } from './exec.js';
import type { RegionPlan } from './plan.js';

const IP = '/usr/sbin/ip';

export async function setUpWiring(plan: RegionPlan): Promise<void> {
  await sh(IP, ['link', 'add', plan.publicBridge, 'type', 'bridge']);
  await sh(IP, ['-6', 'addr', 'add', `${plan.publicGateway}/64`, 'dev', plan.publicBridge, 'nodad']);
  await sh(IP, ['link', 'set', plan.publicBridge, 'up']);
  await sh(IP, ['netns', 'add', plan.lanNetns]);
  await sh(IP, ['link', 'add', plan.trunkHost, 'type', 'veth', 'peer', 'name', plan.trunkPodnet]);
  await sh(IP, ['link', 'set', plan.trunkPodnet, 'netns', plan.lanNetns]);
  await sh(IP, ['-6', 'addr', 'add', `${plan.trunkHostAddress}/64`, 'dev', plan.trunkHost, 'nodad']);
  await sh(IP, [
    '-n',
    plan.lanNetns,
    '-6',
    'addr',
    'add',
    `${plan.trunkPodnetAddress}/64`,
    'dev',
    plan.trunkPodnet,
    'nodad',
  ]);
  await sh(IP, ['-n', plan.lanNetns, 'link', 'set', plan.trunkPodnet, 'up']);
  await sh(IP, ['link', 'set', plan.trunkHost, 'up']);
}

/**
 * Removes what setUpWiring made, the host daemon's network bridges and
 * VXLANs of this region (`nb<tag><segment>`, `nx<tag><segment>`), and any
 * router namespace of this run PodNet left behind.
 */
export async function tearDownWiring(plan: RegionPlan): Promise<void> {
  const namespaces = await sh(IP, ['netns', 'list']).catch(() => '');
  for (const line of namespaces.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (!name.startsWith(plan.routerPrefix)) continue;
    await stopProcessesIn(name);
    await shQuiet(IP, ['netns', 'del', name]);
  }
  const links = JSON.parse((await sh(IP, ['-j', 'link', 'show']).catch(() => '')) || '[]') as {
    ifname: string;
  }[];
  const ours = new RegExp(`^n[xb]${plan.tag}\\d+$`);
  for (const { ifname } of links) if (ours.test(ifname)) await shQuiet(IP, ['link', 'del', ifname]);
  await shQuiet(IP, ['link', 'del', plan.trunkHost]);
  await shQuiet(IP, ['netns', 'del', plan.lanNetns]);
  await shQuiet(IP, ['link', 'del', plan.publicBridge]);
}

/**
 * The processes PodNet left in a router namespace of this run (radvd, the
 * metadata proxy, charon), by PID: deleting the namespace alone leaves them
 * running in it, and the namespace with them.
 */
async function stopProcessesIn(netns: string): Promise<void> {
  const pids = (await sh(IP, ['netns', 'pids', netns]).catch(() => ''))
    .split('\n')
    .map(Number)
    .filter((pid) => pid > 0);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {}
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  for (let i = 0; i < 20 && pids.some(alive); i++) await sleep(100);
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
}
