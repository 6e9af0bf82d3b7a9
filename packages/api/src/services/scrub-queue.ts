import { assertRestorable } from '@nubo/lifecycle';
import { type Entry, Network, NuboError, type Project, SshKey, Vm } from '@nubo/shared';
import type { ApiContext } from '../context.js';
import { retryOnConflict } from './retry.js';

/**
 * Networks and SSH keys wait in the scrub queue like VMs (docs/lifecycle.md):
 * a delete sets `state: scrub_queue`, `deletedAt` and `scrubAfter` (now + the
 * project's grace days) and keeps every index key (name, /64, segment), so a
 * restore within the grace period gets the very same resource back. The
 * lifecycle's scrub loop removes them with their indexes once `scrubAfter` passed.
 */
export function scrubAfter(project: Project, now: Date): string {
  return new Date(now.getTime() + project.graceDays * 86_400_000).toISOString();
}

/** VMs that still count as users of a network: placed or waiting, not deleted. */
const GONE = new Set(['scrub_queue', 'scrubbing', 'closed']);

export async function liveVmsOnNetwork(ctx: ApiContext, networkId: string): Promise<Vm[]> {
  const { entries } = await ctx.store.list(ctx.keys.vms.prefix, Vm);
  return entries
    .map((e) => e.value)
    .filter((vm) => !GONE.has(vm.state) && vm.nics.some((n) => n.networkId === networkId));
}

export async function loadNetwork(ctx: ApiContext, projectId: string, id: string): Promise<Entry<Network>> {
  const entry = await ctx.store.get(ctx.keys.networks.one(id), Network);
  if (!entry || entry.value.projectId !== projectId)
    throw new NuboError('NUBO_NOT_FOUND', 'network not found');
  return entry;
}

/**
 * One transaction, so a VM create cannot slip in between the check and the
 * delete: every create or restore of a VM in the project writes the project's
 * quota usage, so the delete compares that key (as read before the VMs were
 * listed) beside the network, and a VM that commits meanwhile makes it retry.
 * A refused delete writes nothing. A VM in the scrub queue does not hold its
 * network; restoring such a VM needs the network restored first.
 */
export function deleteNetwork(ctx: ApiContext, project: Project, id: string): Promise<Network> {
  return retryOnConflict(async () => {
    const usageKey = ctx.keys.quotaUsage.one(project.id);
    const [entry, usage] = await Promise.all([loadNetwork(ctx, project.id, id), ctx.store.get(usageKey)]);
    const net = entry.value;
    if (net.state !== 'active')
      throw new NuboError('NUBO_INVALID_TRANSITION', `network ${net.name} is already deleted`);
    const users = await liveVmsOnNetwork(ctx, net.id);
    if (users.length > 0) {
      throw new NuboError(
        'NUBO_IN_USE',
        `network ${net.name} is used by ${users.map((u) => u.name).join(', ')}`,
        {
          details: users.map((u) => ({ field: '/vms', message: `${u.name} (${u.id}) is ${u.state}` })),
        },
      );
    }
    const now = new Date();
    const queued: Network = {
      ...net,
      state: 'scrub_queue',
      deletedAt: now.toISOString(),
      scrubAfter: scrubAfter(project, now),
    };
    await ctx.store
      .txn()
      .compare(entry.key, entry.modRevision)
      .compare(usageKey, usage?.modRevision ?? 0)
      .put(entry.key, queued)
      .commit();
    return queued;
  });
}

/** Back to `active` before `scrubAfter` (NUBO_GRACE_EXPIRED after it). */
export function restoreNetwork(ctx: ApiContext, project: Project, id: string): Promise<Network> {
  return retryOnConflict(async () => {
    const entry = await loadNetwork(ctx, project.id, id);
    assertRestorable(entry.value);
    const { deletedAt: _d, scrubAfter: _s, ...kept } = entry.value;
    const restored: Network = { ...kept, state: 'active' };
    await ctx.store.txn().compare(entry.key, entry.modRevision).put(entry.key, restored).commit();
    return restored;
  });
}

export async function loadSshKey(ctx: ApiContext, projectId: string, id: string): Promise<Entry<SshKey>> {
  const entry = await ctx.store.get(ctx.keys.sshKeys.one(projectId, id), SshKey);
  if (!entry) throw new NuboError('NUBO_NOT_FOUND', 'SSH key not found');
  return entry;
}

/** Into the scrub queue; VMs already built keep the key they were given. */
export function deleteSshKey(ctx: ApiContext, project: Project, id: string): Promise<SshKey> {
  return retryOnConflict(async () => {
    const entry = await loadSshKey(ctx, project.id, id);
    if (entry.value.state === 'scrub_queue')
      throw new NuboError('NUBO_INVALID_TRANSITION', `SSH key ${entry.value.name} is already deleted`);
    const now = new Date();
    const queued: SshKey = {
      ...entry.value,
      state: 'scrub_queue',
      deletedAt: now.toISOString(),
      scrubAfter: scrubAfter(project, now),
    };
    await ctx.store.txn().compare(entry.key, entry.modRevision).put(entry.key, queued).commit();
    return queued;
  });
}

export function restoreSshKey(ctx: ApiContext, project: Project, id: string): Promise<SshKey> {
  return retryOnConflict(async () => {
    const entry = await loadSshKey(ctx, project.id, id);
    assertRestorable(entry.value);
    const { deletedAt: _d, scrubAfter: _s, ...kept } = entry.value;
    const restored: SshKey = { ...kept, state: 'active' };
    await ctx.store.txn().compare(entry.key, entry.modRevision).put(entry.key, restored).commit();
    return restored;
  });
}
