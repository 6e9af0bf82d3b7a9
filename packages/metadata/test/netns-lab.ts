// A small lab of network namespaces for the metadata tests: a bridge in the
// root namespace carries a random ULA /64 (the service listens on <prefix>::1),
// and each "guest" is a namespace with one veth into that bridge, a chosen MAC
// and the EUI-64 address of that MAC. We add the EUI-64 address ourselves
// (computed by macToEui64, `nodad`) instead of running radvd: the kernel
// would derive the same address from a router advertisement, and this way the
// test does not wait for RA timers. Traffic never leaves the bridge.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { macToEui64 } from '@nubo/shared';
import { requireRoot, requireTool } from '@nubo/test';

const run = promisify(execFile);
export const IP = '/usr/sbin/ip';

export interface Guest {
  ns: string;
  mac: string;
  address: string;
}

export class NetnsLab {
  readonly prefix: string;
  readonly serverAddress: string;
  private readonly namespaces: string[] = [];
  private readonly bridge: string;

  private constructor(private readonly id: string) {
    const hex = randomBytes(5).toString('hex');
    this.prefix = `fd${hex.slice(0, 2)}:${hex.slice(2, 6)}:${hex.slice(6, 10)}:1::/64`;
    this.serverAddress = this.prefix.replace('::/64', '::1');
    this.bridge = `nmd${id}b`;
  }

  static async create(): Promise<NetnsLab> {
    requireRoot('the metadata namespace tests');
    requireTool(IP);
    const lab = new NetnsLab(randomBytes(2).toString('hex'));
    await ip('link', 'add', lab.bridge, 'type', 'bridge');
    await ip('addr', 'add', `${lab.serverAddress}/64`, 'dev', lab.bridge, 'nodad');
    await ip('link', 'set', lab.bridge, 'up');
    return lab;
  }

  /** A namespace on the bridge with this MAC and, unless given another, its EUI-64 address. */
  async addGuest(mac: string, address = macToEui64(mac, this.prefix)): Promise<Guest> {
    const n = this.namespaces.length;
    const ns = `nubo-md-${this.id}-${n}`;
    const hostSide = `nmd${this.id}h${n}`;
    await ip('netns', 'add', ns);
    this.namespaces.push(ns);
    await ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await ip('link', 'set', hostSide, 'master', this.bridge, 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await ip('-n', ns, 'link', 'set', 'eth0', 'address', mac);
    await ip('-n', ns, 'link', 'set', 'eth0', 'addrgenmode', 'eui64');
    await ip('-n', ns, 'addr', 'add', `${address}/64`, 'dev', 'eth0', 'nodad');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    return { ns, mac, address };
  }

  /** Runs a program inside a guest's namespace (argument array, no shell). */
  async exec(guest: Guest, file: string, args: string[], env?: NodeJS.ProcessEnv) {
    return run(IP, ['netns', 'exec', guest.ns, file, ...args], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
  }

  url(port: number, path: string): string {
    return `http://[${this.serverAddress}]:${port}${path}`;
  }

  async dispose(): Promise<void> {
    for (const ns of this.namespaces) await ip('netns', 'del', ns).catch(() => {});
    await ip('link', 'del', this.bridge).catch(() => {});
  }
}

async function ip(...args: string[]): Promise<void> {
  await run(IP, args);
}

/** GET with curl from inside a guest: the status code and body. */
export async function curl(lab: NetnsLab, guest: Guest, url: string, extra: string[] = []) {
  requireTool('/usr/bin/curl');
  const { stdout } = await lab.exec(guest, '/usr/bin/curl', [
    '-sS',
    '-g',
    '--max-time',
    '5',
    ...extra,
    '-w',
    '\n%{http_code}',
    url,
  ]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}
