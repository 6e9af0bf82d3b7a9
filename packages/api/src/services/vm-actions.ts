import { randomUUID } from 'node:crypto';
import { restoreVm as restoreScrubbed } from '@nubo/lifecycle';
import {
  type Entry,
  fieldError,
  Host,
  type HostRequestKind,
  NuboError,
  nextState,
  type Project,
  type SchedulerRequestKind,
  type Txn,
  Vm,
  type VmMigrateInput,
  type VmResizeInput,
} from '@nubo/shared';
import type { ApiContext } from '../context.js';
import { addUsage, assertWithinQuota, putUsage, readUsage, vmUsage } from './quota.js';
import { retryOnConflict } from './retry.js';
import { diskGiB, ramMiB } from './sizes.js';

/** The VM if it belongs to the project; any other VM is "not found". */
export async function loadVm(ctx: ApiContext, projectId: string, vmId: string): Promise<Entry<Vm>> {
  const entry = await ctx.store.get(ctx.keys.vms.one(vmId), Vm);
  if (!entry || entry.value.projectId !== projectId) throw new NuboError('NUBO_NOT_FOUND', 'VM not found');
  return entry;
}

type Change = (vm: Vm, txn: Txn, now: string) => Vm | Promise<Vm>;

/** Re-reads the VM, applies `change` and commits it with its requests in one transaction compared on the VM. */
async function act(ctx: ApiContext, projectId: string, vmId: string, change: Change): Promise<Vm> {
  return retryOnConflict(async () => {
    const entry = await loadVm(ctx, projectId, vmId);
    const now = new Date().toISOString();
    const txn = ctx.store.txn().compare(entry.key, entry.modRevision);
    const next = { ...(await change(entry.value, txn, now)), updatedAt: now };
    await txn.put(entry.key, next).commit();
    return next;
  });
}

function hostRequest(
  ctx: ApiContext,
  txn: Txn,
  host: string,
  kind: HostRequestKind,
  vmId: string,
  now: string,
) {
  const id = randomUUID();
  txn.create(ctx.keys.requests.host.one(host, id), { id, kind, vmId, createdAt: now });
}

function schedulerRequest(
  ctx: ApiContext,
  txn: Txn,
  kind: SchedulerRequestKind,
  vmId: string,
  now: string,
  targetHost?: string,
) {
  const id = randomUUID();
  txn.create(ctx.keys.requests.scheduler.one(id), {
    id,
    kind,
    vmId,
    createdAt: now,
    ...(targetHost ? { targetHost } : {}),
  });
}

function hostOf(vm: Vm): string {
  if (!vm.host) throw new NuboError('NUBO_INVALID_TRANSITION', `VM ${vm.name} is not placed on a host yet`);
  return vm.host;
}

/** stop, start, restart: a new state and one request to the VM's host. */
export function powerAction(
  ctx: ApiContext,
  projectId: string,
  vmId: string,
  action: 'stop' | 'start' | 'restart',
) {
  return act(ctx, projectId, vmId, (vm, txn, now) => {
    const state = nextState(vm.state, action);
    hostRequest(ctx, txn, hostOf(vm), action, vm.id, now);
    return { ...vm, state };
  });
}

export function resizeVm(ctx: ApiContext, project: Project, vmId: string, input: VmResizeInput) {
  const wanted = {
    ...(input.cpus !== undefined ? { cpus: input.cpus } : {}),
    ...(input.ram !== undefined ? { ramMiB: ramMiB(input.ram) } : {}),
    ...(input.disk !== undefined ? { diskGiB: diskGiB(input.disk) } : {}),
  };
  return act(ctx, project.id, vmId, async (vm, txn, now) => {
    const state = nextState(vm.state, 'resize');
    const pending = { cpus: vm.cpus, ramMiB: vm.ramMiB, diskGiB: vm.diskGiB, ...wanted };
    if (pending.diskGiB < vm.diskGiB) throw fieldError('NUBO_VALIDATION', '/disk', 'a disk cannot shrink');
    const usage = await readUsage(ctx.store, ctx, project.id);
    const next = addUsage(addUsage(usage.value, vmUsage(pending, 0)), vmUsage(vm, 0), -1);
    if (
      next.cpus > usage.value.cpus ||
      next.ramMiB > usage.value.ramMiB ||
      next.diskGiB > usage.value.diskGiB
    ) {
      assertWithinQuota(next, project.quota);
    }
    putUsage(txn, ctx.keys.quotaUsage.one(project.id), usage.modRevision, next);
    schedulerRequest(ctx, txn, 'resize', vm.id, now);
    return { ...vm, state, pending, resumeState: vm.state as 'running' | 'quiesced' };
  });
}

export function migrateVm(ctx: ApiContext, projectId: string, vmId: string, input: VmMigrateInput) {
  return act(ctx, projectId, vmId, async (vm, txn, now) => {
    const state = nextState(vm.state, 'migrate');
    const target = await ctx.store.get(ctx.keys.hosts.one(input.host), Host);
    if (!target) throw fieldError('NUBO_VALIDATION', '/host', `no host named ${input.host}`);
    if (target.value.name === vm.host)
      throw fieldError('NUBO_VALIDATION', '/host', "is already the VM's host");
    txn.compare(target.key, target.modRevision);
    schedulerRequest(ctx, txn, 'migrate', vm.id, now, input.host);
    return { ...vm, state, targetHost: input.host, resumeState: vm.state as 'running' | 'quiesced' };
  });
}

/** Into the scrub queue for the project's grace period; the quota is given back now. */
export function deleteVm(ctx: ApiContext, project: Project, vmId: string) {
  return act(ctx, project.id, vmId, async (vm, txn, now) => {
    const state = nextState(vm.state, 'delete');
    const usage = await readUsage(ctx.store, ctx, project.id);
    putUsage(
      txn,
      ctx.keys.quotaUsage.one(project.id),
      usage.modRevision,
      addUsage(usage.value, vmUsage(vm), -1),
    );
    if (vm.host) hostRequest(ctx, txn, vm.host, 'quiesce_for_scrub', vm.id, now);
    const scrubAfter = new Date(Date.parse(now) + project.graceDays * 86_400_000).toISOString();
    return { ...vm, state, deletedAt: now, scrubAfter };
  });
}

/**
 * Out of the scrub queue before its grace period ends, taking the quota
 * again: the lifecycle's restore (one implementation, docs/lifecycle.md),
 * retried when it loses a race. The VM must be the project's.
 */
export async function restoreVm(ctx: ApiContext, project: Project, vmId: string): Promise<Vm> {
  return retryOnConflict(async () => {
    await loadVm(ctx, project.id, vmId);
    return restoreScrubbed(ctx.store, ctx.keys, vmId);
  });
}

/** Admin: a VM lost with its host is placed again. */
export function evacuateVm(ctx: ApiContext, projectId: string, vmId: string) {
  return act(ctx, projectId, vmId, (vm, txn, now) => {
    const state = nextState(vm.state, 'evacuate');
    schedulerRequest(ctx, txn, 'evacuate', vm.id, now);
    return { ...vm, state };
  });
}
