import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PodnetConfig } from '../config.js';
import { ip } from '../linux/exec.js';
import { readLinks } from '../linux/links.js';
import { createNamespace, deleteNamespace, namespaceExists } from '../linux/netns.js';
import { uplinkPeerName } from '../names.js';
import { ensureVpn, stopCharon } from '../vpn/charon.js';
import { applyAddresses, applyRoutes } from './apply-addresses.js';
import { applyLinks, type Changes } from './apply-links.js';
import { applyNft, forgetNft } from './apply-nft.js';
import type { RouterDesired } from './desired.js';
import { ensureProxy, stopProxy } from './proxy-process.js';
import { ensureRadvd, stopStrayRadvd } from './radvd.js';

export const routerDir = (runDir: string, projectId: string): string => join(runDir, projectId);

/**
 * Makes one router what `d` says, touching only what differs: every step reads
 * what exists first. Returns what it changed (empty when nothing did).
 */
export async function applyRouter(d: RouterDesired, runDir: string): Promise<Changes> {
  const changes: Changes = [];
  const dir = routerDir(runDir, d.projectId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!(await namespaceExists(d.namespace))) {
    // Processes still running in a namespace deleted by hand keep it (and its
    // links) alive; stop them so it goes away before it is made again.
    await stopProcesses(dir, d.projectId);
    forgetNft(d.namespace);
    await createNamespace(d.namespace);
    changes.push(`created namespace ${d.namespace}`);
  }
  await applyLinks(d, changes);
  await applyAddresses(d, changes);
  await applyRoutes(d, changes);
  await applyNft(d, dir, changes);
  await stopStrayRadvd(dir, new Set(d.networks.map((n) => n.segment)), changes);
  for (const n of d.networks) await ensureRadvd(d.namespace, dir, n, changes);
  await ensureProxy(d, dir, changes);
  await ensureVpn(d, dir, changes);
  return changes;
}

async function stopProcesses(dir: string, projectId: string): Promise<void> {
  await stopStrayRadvd(dir, new Set(), []);
  await stopProxy(dir, projectId);
  await stopCharon(dir);
}

/** Removes a router: its processes, its namespace (with every link in it) and its files; nothing else. */
export async function removeRouter(
  namespace: string,
  projectId: string,
  config: PodnetConfig,
): Promise<void> {
  const dir = routerDir(config.runDir, projectId);
  await stopProcesses(dir, projectId);
  await deleteNamespace(namespace);
  // The kernel dismantles a deleted namespace in the background; delete the
  // uplink pair from the public side now so nothing of it lingers.
  const peer = uplinkPeerName(namespace);
  const pub = config.publicNetns || undefined;
  if ((await readLinks(pub)).has(peer)) await ip(pub, ['link', 'del', peer]).catch(() => {});
  forgetNft(namespace);
  await rm(dir, { recursive: true, force: true });
}
