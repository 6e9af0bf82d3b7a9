import {
  ConflictError,
  type Entry,
  FirewallRule,
  FloatingIp,
  Image,
  Network,
  NuboError,
  Project,
  Quota,
  RouterConfig,
  SshKey,
  Vm,
  VpnTunnel,
} from '@nubo/shared';
import type { ApiContext } from '../context.js';
import { FileStore } from './file-store.js';
import { ZERO_USAGE } from './quota.js';
import { createRouter, newRouter, routerPlan, uplinkAddress } from './router.js';

/** A project with its zero usage and its PodNet router, in one transaction. */
export async function createProject(ctx: ApiContext, project: Project): Promise<Project> {
  const plan = routerPlan(ctx.config);
  // 64 random bits: a clash of uplink addresses is next to impossible, but it is a pick-again, not an error.
  for (let attempt = 0; ; attempt++) {
    const txn = ctx.store
      .txn()
      .create(ctx.keys.projects.one(project.id), project)
      .create(ctx.keys.quotaUsage.one(project.id), ZERO_USAGE);
    createRouter(ctx, txn, newRouter(plan, project.id, project.createdAt));
    try {
      await txn.commit();
      return project;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 3) throw err;
    }
  }
}

const GONE_VM = new Set(['scrub_queue', 'scrubbing', 'closed']);

/** What still lives in the project, by kind: a project delete is refused while anything does. */
async function liveResources(
  ctx: ApiContext,
  projectId: string,
): Promise<{ kind: string; names: string[] }[]> {
  const k = ctx.keys;
  const [vms, networks, sshKeys, images, rules, ips, tunnels, files] = await Promise.all([
    ctx.store.list(k.vms.prefix, Vm),
    ctx.store.list(k.networks.prefix, Network),
    ctx.store.list(k.sshKeys.ofProject(projectId), SshKey),
    ctx.store.list(k.images.prefix, Image),
    ctx.store.list(k.firewallRules.ofProject(projectId), FirewallRule),
    ctx.store.list(k.floatingIps.ofProject(projectId), FloatingIp),
    ctx.store.list(k.vpnTunnels.ofProject(projectId), VpnTunnel),
    new FileStore(ctx.config.fileStoreDir).list(projectId),
  ]);
  const mine = <T extends { projectId?: string }>(e: Entry<T>) => e.value.projectId === projectId;
  return [
    {
      kind: 'vms',
      names: vms.entries.filter((e) => mine(e) && !GONE_VM.has(e.value.state)).map((e) => e.value.name),
    },
    {
      kind: 'networks',
      names: networks.entries.filter((e) => mine(e) && e.value.state === 'active').map((e) => e.value.name),
    },
    {
      kind: 'ssh-keys',
      names: sshKeys.entries.filter((e) => e.value.state !== 'scrub_queue').map((e) => e.value.name),
    },
    { kind: 'images', names: images.entries.filter(mine).map((e) => e.value.name) },
    { kind: 'firewall-rules', names: rules.entries.map((e) => e.value.id) },
    { kind: 'floating-ips', names: ips.entries.map((e) => e.value.publicIpv4) },
    { kind: 'vpn-tunnels', names: tunnels.entries.map((e) => e.value.name) },
    { kind: 'files', names: files.map((f) => f.name) },
  ].filter((r) => r.names.length > 0);
}

/**
 * Deletes a project with nothing live in it: the project, its usage and its
 * router (PodNet then removes the router's namespace) go in one transaction
 * that compares all three. What waits in the scrub queue stays there and is
 * scrubbed on time; it can no longer be restored. Events and BOM movements
 * stay (old bills), readable by nobody through the API once the project is gone.
 */
export async function deleteProject(ctx: ApiContext, projectId: string): Promise<void> {
  const k = ctx.keys;
  const [project, usage, router] = await Promise.all([
    ctx.store.require(k.projects.one(projectId), Project, 'project'),
    ctx.store.get(k.quotaUsage.one(projectId), Quota),
    ctx.store.get(k.routers.one(projectId), RouterConfig),
  ]);
  const live = await liveResources(ctx, projectId);
  if (live.length > 0) {
    throw new NuboError(
      'NUBO_IN_USE',
      `project ${project.value.name} still has ${live.map((l) => `${l.kind} (${l.names.join(', ')})`).join('; ')}`,
      { details: live.map((l) => ({ field: `/${l.kind}`, message: l.names.join(', ') })) },
    );
  }
  const txn = ctx.store
    .txn()
    .compare(project.key, project.modRevision)
    .delete(project.key)
    // Compared: a VM create or restore that commits meanwhile changes the usage and fails this.
    .compare(k.quotaUsage.one(projectId), usage?.modRevision ?? 0)
    .delete(k.quotaUsage.one(projectId));
  if (router) {
    txn.compare(router.key, router.modRevision).delete(router.key);
    const index = k.routerUplinks.one(uplinkAddress(router.value));
    const owner = await ctx.store.get(index);
    if (owner?.value === projectId) txn.compare(index, owner.modRevision).delete(index);
  }
  await txn.commit();
}
