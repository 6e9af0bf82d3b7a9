import { randomUUID } from 'node:crypto';
import {
  Allocation,
  ConflictError,
  type Entry,
  emptyAllocation,
  type HostRequest,
  QuotaUsage,
  type Resources,
  readMany,
  reserveVm,
  resourcesOf,
  SchedulerRequest,
  subtractResources,
  Vm,
} from '@nubo/shared';
import { freeOf, shortages } from './capacity.js';
import { fencedTxn, now, type SchedulerContext } from './context.js';

const ATTEMPTS = 5;

/**
 * A `resize` request: the VM (in `updating`, with `pending`) keeps its host;
 * the host's reservation is replaced by the new size if it fits (compared),
 * and the host is asked to apply it. No room: the VM goes back to its
 * `resumeState` with the reason, and the project's quota is given back.
 */
export async function resize(ctx: SchedulerContext, requestId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await resizeOnce(ctx, requestId);
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= ATTEMPTS) throw err;
    }
  }
}

async function resizeOnce(ctx: SchedulerContext, requestId: string): Promise<void> {
  const { keys } = ctx;
  const [reqE, vmE] = await readPair(ctx, requestId);
  if (!reqE) return;
  const vm = vmE?.value;
  if (!vmE || !vm || vm.state !== 'updating' || !vm.pending || !vm.host) {
    await fencedTxn(ctx).compare(reqE.key, reqE.modRevision).delete(reqE.key).commit();
    ctx.log.warn({ request: requestId }, 'dropping a resize request for a VM that is not updating');
    return;
  }
  const allocKey = keys.allocations.one(vm.host);
  const alloc = await ctx.store.get(allocKey, Allocation);
  const current = alloc?.value ?? emptyAllocation(vm.host);
  const view = ctx.view.view(vm.host);
  const held = current.vms[vm.id] ?? resourcesOf(vm);
  const growth = positive(subtractResources(vm.pending, held));
  const short = view
    ? shortages(growth, freeOf({ ...view, allocation: current }, ctx.policy))
    : ['a registered host'];
  const txn = fencedTxn(ctx)
    .compare(reqE.key, reqE.modRevision)
    .delete(reqE.key)
    .compare(vmE.key, vmE.modRevision);
  if (short.length === 0) {
    const request: HostRequest = { id: randomUUID(), kind: 'resize', vmId: vm.id, createdAt: now() };
    txn.compare(allocKey, alloc?.modRevision ?? 0).put(allocKey, reserveVm(current, vm.id, vm.pending));
    await txn.put(keys.requests.host.one(vm.host, request.id), request).commit();
    return;
  }
  await refuse(ctx, txn, vmE, `resize refused: host ${vm.host} lacks free ${short.join(', ')}`);
}

async function readPair(ctx: SchedulerContext, requestId: string) {
  const req = await ctx.store.get(ctx.keys.requests.scheduler.one(requestId), SchedulerRequest);
  if (!req) return [undefined, undefined] as const;
  const vm = await ctx.store.get(ctx.keys.vms.one(req.value.vmId), Vm);
  return [req, vm] as const;
}

/** Back to where the VM was, its quota given back (the API took it for the new size). */
async function refuse(
  ctx: SchedulerContext,
  txn: ReturnType<typeof fencedTxn>,
  vmE: Entry<Vm>,
  reason: string,
) {
  const { pending, resumeState, ...vm } = vmE.value;
  const usageKey = ctx.keys.quotaUsage.one(vm.projectId);
  const [usage] = (await readMany(ctx.store, [usageKey], QuotaUsage)).entries;
  if (usage && pending) {
    const back = subtractResources(pending, resourcesOf(vm));
    const next = {
      ...usage.value,
      cpus: Math.max(0, usage.value.cpus - back.cpus),
      ramMiB: Math.max(0, usage.value.ramMiB - back.ramMiB),
      diskGiB: Math.max(0, usage.value.diskGiB - back.diskGiB),
    };
    txn.compare(usageKey, usage.modRevision).put(usageKey, next);
  }
  await txn.put(vmE.key, { ...vm, state: resumeState ?? 'running', reason, updatedAt: now() }).commit();
}

function positive(r: Resources): Resources {
  return { cpus: Math.max(0, r.cpus), ramMiB: Math.max(0, r.ramMiB), diskGiB: Math.max(0, r.diskGiB) };
}
