import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  type HostRequest,
  Image,
  reserveVm,
  resourcesOf,
  SchedulerRequest,
  Vm,
} from '@nubo/shared';
import { freeOf, shortages } from './capacity.js';
import { fencedTxn, now, type SchedulerContext } from './context.js';

const ATTEMPTS = 5;

/**
 * A `migrate` request (admin): the VM is `migrating` with `targetHost`. If the
 * target is alive, enabled, runs a hypervisor the image supports and has room,
 * its allocation is reserved (compared) and the source is told `migrate_out`;
 * the VM's `host` changes only when the target reports it done (host daemon).
 * Otherwise the VM goes back to `resumeState` with the reason.
 */
export async function migrate(ctx: SchedulerContext, requestId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(ctx, requestId);
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= ATTEMPTS) throw err;
      if (ctx.fence && err.keys.includes(ctx.fence.key)) throw err;
      await ctx.view.refresh(
        err.keys
          .filter((k) => k.startsWith(ctx.keys.allocations.prefix))
          .map((k) => k.slice(ctx.keys.allocations.prefix.length)),
      );
    }
  }
}

async function migrateOnce(ctx: SchedulerContext, requestId: string): Promise<void> {
  const { keys } = ctx;
  const req = await ctx.store.get(keys.requests.scheduler.one(requestId), SchedulerRequest);
  if (!req) return;
  const vmE = await ctx.store.get(keys.vms.one(req.value.vmId), Vm);
  const txn = fencedTxn(ctx).compare(req.key, req.modRevision).delete(req.key);
  const vm = vmE?.value;
  if (!vmE || !vm || vm.state !== 'migrating' || !vm.host || !vm.targetHost) {
    ctx.log.warn({ request: requestId }, 'dropping a migrate request for a VM that is not migrating');
    await txn.commit();
    return;
  }
  txn.compare(vmE.key, vmE.modRevision);
  const image = await ctx.store.get(keys.images.one(vm.imageId), Image);
  const problem = whyNot(ctx, vm, image?.value);
  if (problem) {
    const { targetHost, resumeState, ...rest } = vm;
    const reason = `migration to ${targetHost} refused: ${problem}`;
    await txn.put(vmE.key, { ...rest, state: resumeState ?? 'running', reason, updatedAt: now() }).commit();
    return;
  }
  const target = ctx.view.view(vm.targetHost)!;
  const allocKey = keys.allocations.one(target.name);
  txn.compare(allocKey, target.allocationRev).compare(keys.alive.one(target.name), target.aliveRev);
  txn.put(allocKey, reserveVm(target.allocation, vm.id, resourcesOf(vm)));
  const out: HostRequest = {
    id: randomUUID(),
    kind: 'migrate_out',
    vmId: vm.id,
    peerHost: target.name,
    createdAt: now(),
  };
  await txn.put(keys.requests.host.one(vm.host, out.id), out).commit();
}

function whyNot(ctx: SchedulerContext, vm: Vm, image: Image | undefined): string | undefined {
  const target = ctx.view.view(vm.targetHost!);
  if (vm.targetHost === vm.host) return 'the VM is already there';
  if (!target) return 'no such host';
  if (target.aliveRev === 0) return 'the target host is not alive';
  if (!ctx.view.isAlive(vm.host!)) return `the source host ${vm.host} is not alive (evacuate instead)`;
  if (!target.host.enabled) return 'the target host is disabled';
  if (image && !image.hypervisors.includes(target.host.hypervisor))
    return `the image does not run on ${target.host.hypervisor}`;
  const short = shortages(resourcesOf(vm), freeOf(target, ctx.policy));
  return short.length ? `the target lacks free ${short.join(', ')}` : undefined;
}
