import { Allocation, ConflictError, type Entry, readMany, Vm, type VmState } from '@nubo/shared';
import { fencedTxn, now, type SchedulerContext } from './context.js';

/** States in which a VM is (or is about to be) on its host, so losing the host loses the VM. */
const LIVE_ON_HOST: readonly VmState[] = [
  'building',
  'running',
  'quiescing',
  'quiesced',
  'restarting',
  'updating',
  'migrating',
];

const ATTEMPTS = 5;

/**
 * A host's liveness key is gone: its VMs in a live state become `unresourced`
 * with reason `host lost: <name>`. They keep `host` and their reservation (the
 * VM may still run there); nothing is started elsewhere until an admin evacuates.
 * Returns how many VMs were marked.
 */
export async function markHostLost(ctx: SchedulerContext, host: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    if (ctx.view.isAlive(host)) return 0;
    try {
      return await markOnce(ctx, host);
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= ATTEMPTS) throw err;
      if (ctx.fence && err.keys.includes(ctx.fence.key)) throw err;
      if (err.keys.includes(ctx.keys.alive.one(host))) return 0; // it came back
    }
  }
}

async function markOnce(ctx: SchedulerContext, host: string): Promise<number> {
  const alloc = await ctx.store.get(ctx.keys.allocations.one(host), Allocation);
  const ids = Object.keys(alloc?.value.vms ?? {});
  // A VM record that cannot be read is left as it is (logged); the others are marked.
  const onInvalid = (key: string, err: unknown) =>
    ctx.log.error({ err, key, host }, 'invalid VM record on a lost host; not marked');
  const { entries } = await readMany(
    ctx.store,
    ids.map((id) => ctx.keys.vms.one(id)),
    Vm,
    { onInvalid },
  );
  const lost = entries.filter(
    (e): e is Entry<Vm> => !!e && e.value.host === host && LIVE_ON_HOST.includes(e.value.state),
  );
  const perTxn = Math.max(1, Math.floor((ctx.maxTxnOps - 2) / 2));
  for (let i = 0; i < lost.length; i += perTxn) {
    const txn = fencedTxn(ctx).compare(ctx.keys.alive.one(host), 0);
    for (const vm of lost.slice(i, i + perTxn)) {
      const reason = `host lost: ${host}`;
      txn
        .compare(vm.key, vm.modRevision)
        .put(vm.key, { ...vm.value, state: 'unresourced', reason, updatedAt: now() });
    }
    await txn.commit();
  }
  if (lost.length) ctx.log.warn({ host, vms: lost.length }, 'host lost: its VMs are unresourced');
  return lost.length;
}
