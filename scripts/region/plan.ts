// What a local region will be: which driver, which names, which ports, which
// directories. Everything the region makes carries the run's tag, so cleanup
// removes exactly what this run made and two runs never collide.
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type DriverChoice = { kind: 'libvirt' } | { kind: 'fake'; why: string };

export interface RegionPlan {
  /** Four hex digits in every name this run makes. */
  tag: string;
  /** Temp directory for file store, disks, consoles, logs: removed at stop. */
  runDir: string;
  driver: DriverChoice;
  /** Public network of the routers' uplinks (a /64 on a bridge in the root namespace). */
  publicBridge: string;
  publicPrefix: string;
  publicGateway: string;
  /** The veth pair carrying the project networks' VLANs between the host and PodNet. */
  trunkHost: string;
  trunkPodnet: string;
  trunkHostAddress: string;
  trunkPodnetAddress: string;
  /**
   * The VXLAN port of this region's project networks: the kernel allows one
   * VXLAN per VNI and port in a namespace, so two regions on one machine
   * whose networks share a segment need different ports.
   */
  vxlanPort: number;
  vxlanGroup: string;
  /** The namespace holding PodNet's end of the trunk. */
  lanNetns: string;
  /** Router namespaces are `<routerPrefix><project id>`. */
  routerPrefix: string;
  hostname: string;
}

const NEEDED_FOR_LIBVIRT = [
  '/usr/bin/virsh',
  '/usr/sbin/libvirtd',
  '/usr/bin/qemu-system-x86_64',
  '/usr/bin/qemu-img',
  '/usr/sbin/radvd',
  '/usr/sbin/nft',
];

/** libvirt when the machine can run it (root and the tools); otherwise the fake driver, with the reason. */
export function chooseDriver(env = process.env): DriverChoice {
  if (env.NUBO_DRIVER === 'fake') return { kind: 'fake', why: 'NUBO_DRIVER=fake was asked for' };
  if (process.getuid?.() !== 0)
    return { kind: 'fake', why: 'not root: network namespaces and libvirt need root' };
  const missing = NEEDED_FOR_LIBVIRT.filter((path) => !executable(path));
  if (missing.length > 0)
    return {
      kind: 'fake',
      why: `missing ${missing.join(', ')} (run npm start as root once: it installs them)`,
    };
  return { kind: 'libvirt' };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function makePlan(options: { driver?: DriverChoice } = {}): Promise<RegionPlan> {
  const tag = randomBytes(2).toString('hex');
  return {
    tag,
    runDir: await mkdtemp(join(tmpdir(), `nubo-region-${tag}-`)),
    driver: options.driver ?? chooseDriver(),
    publicBridge: `nbpub${tag}`,
    publicPrefix: `fd00:6e75:ffff:${tag}::/64`,
    publicGateway: `fd00:6e75:ffff:${tag}::1`,
    trunkHost: `ntk${tag}h`,
    trunkPodnet: `ntk${tag}p`,
    trunkHostAddress: `fd00:6e75:fffe:${tag}::1`,
    trunkPodnetAddress: `fd00:6e75:fffe:${tag}::2`,
    vxlanPort: 4789 + 1 + (Number.parseInt(tag, 16) % 20000),
    vxlanGroup: 'ff05::4789',
    lanNetns: `nubo-${tag}-lan`,
    routerPrefix: `nr${tag}-`,
    hostname: `local-${tag}`,
  };
}
