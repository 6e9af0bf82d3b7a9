import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../linux/exec.js';
import { livePid, stopByPidFile } from '../linux/process.js';
import type { Changes } from '../router/apply-links.js';
import type { RouterDesired } from '../router/desired.js';
import { renderStrongswanConf, renderSwanctl } from './swanctl.js';

export const CHARON = '/usr/sbin/charon-systemd';
export const SWANCTL = '/usr/sbin/swanctl';

export const vpnFiles = (dir: string) => {
  const vpn = join(dir, 'vpn');
  return {
    dir: vpn,
    strongswanConf: join(vpn, 'strongswan.conf'),
    swanctlConf: join(vpn, 'swanctl.conf'),
    vici: join(vpn, 'charon.vici'),
    pid: join(vpn, 'charon.pid'),
  };
};

/**
 * One charon per router that has tunnels, in the router's namespace, with its
 * own strongswan.conf (through STRONGSWAN_CONF) and vici socket. The tunnels'
 * file is loaded with `swanctl --load-all --file`: the PSKs travel in that
 * 0600 file, never on a command line.
 */
export async function ensureVpn(d: RouterDesired, dir: string, changes: Changes): Promise<void> {
  const f = vpnFiles(dir);
  // The router's own IPv4 address comes first among the IPv4 ones (floating IPs follow).
  const localIpv4 = d.uplink.addresses.find((a) => !a.includes(':'))?.split('/')[0];
  if (d.vpnTunnels.length === 0) {
    if (existsSync(f.dir)) {
      await stopCharon(dir);
      changes.push('removed VPN');
    }
    return;
  }
  await mkdir(f.dir, { recursive: true, mode: 0o700 });
  const wanted = renderSwanctl({
    tunnels: d.vpnTunnels,
    localIpv6: d.uplink.addresses[0]!.split('/')[0]!,
    localIpv4,
  });
  const changed = (await readFile(f.swanctlConf, 'utf8').catch(() => '')) !== wanted;
  if (changed) {
    await writeFile(f.swanctlConf, wanted, { mode: 0o600 });
    await chmod(f.swanctlConf, 0o600);
  }
  const started = await ensureCharon(d.namespace, f);
  if (changed || started) {
    await loadAll(f);
    changes.push(`loaded ${d.vpnTunnels.length} VPN tunnel(s)`);
  }
}

async function ensureCharon(ns: string, f: ReturnType<typeof vpnFiles>): Promise<boolean> {
  if ((await livePid(f.pid, f.strongswanConf)) !== undefined) return false;
  await writeFile(f.strongswanConf, renderStrongswanConf(f.dir));
  await rm(f.vici, { force: true });
  const child = spawn('ip', ['netns', 'exec', ns, CHARON], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, STRONGSWAN_CONF: f.strongswanConf },
  });
  child.unref();
  await writeFile(f.pid, `${child.pid}\n`);
  const deadline = Date.now() + 10_000;
  while (!existsSync(f.vici)) {
    if (Date.now() > deadline) throw new Error('charon did not open its vici socket');
    await sleep(50);
  }
  return true;
}

/** `swanctl --load-all` against this router's charon: loads, replaces and unloads connections and secrets. */
export async function loadAll(f: ReturnType<typeof vpnFiles>): Promise<string> {
  return run(SWANCTL, ['--load-all', '--file', f.swanctlConf, '--uri', `unix://${f.vici}`]);
}

export async function listConnections(dir: string): Promise<string> {
  return run(SWANCTL, ['--list-conns', '--uri', `unix://${vpnFiles(dir).vici}`]);
}

export async function stopCharon(dir: string): Promise<void> {
  const f = vpnFiles(dir);
  await stopByPidFile(f.pid, f.strongswanConf);
  await rm(f.dir, { recursive: true, force: true });
}
