import { type Entry, NuboError, type Quota, QuotaUsage, type Store, type Txn, type Vm } from '@nubo/shared';
import type { ApiContext } from '../context.js';

export const ZERO_USAGE: QuotaUsage = { vms: 0, cpus: 0, ramMiB: 0, diskGiB: 0 };

/** What one VM counts against its project's quota. */
export function vmUsage(vm: Pick<Vm, 'cpus' | 'ramMiB' | 'diskGiB'>, count = 1): QuotaUsage {
  return { vms: count, cpus: vm.cpus, ramMiB: vm.ramMiB, diskGiB: vm.diskGiB };
}

export function addUsage(a: QuotaUsage, b: QuotaUsage, sign: 1 | -1 = 1): QuotaUsage {
  const clamp = (n: number) => Math.max(0, n);
  return {
    vms: clamp(a.vms + sign * b.vms),
    cpus: clamp(a.cpus + sign * b.cpus),
    ramMiB: clamp(a.ramMiB + sign * b.ramMiB),
    diskGiB: clamp(a.diskGiB + sign * b.diskGiB),
  };
}

/** Refuses usage above the quota, naming every resource that would exceed it. */
export function assertWithinQuota(usage: QuotaUsage, quota: Quota): void {
  const over = (Object.keys(quota) as (keyof Quota)[]).filter((k) => usage[k] > quota[k]);
  if (over.length === 0) return;
  throw new NuboError(
    'NUBO_QUOTA_EXCEEDED',
    `the project quota does not allow this: ${over.map((k) => `${k} ${usage[k]} > ${quota[k]}`).join(', ')}`,
    {
      details: over.map((k) => ({
        field: `quota/${k}`,
        message: `would be ${usage[k]}, quota is ${quota[k]}`,
      })),
    },
  );
}

/** The project's usage as stored (absent = nothing used yet; a transaction comparing revision 0 then holds). */
export async function readUsage(store: Store, ctx: Pick<ApiContext, 'keys'>, projectId: string) {
  const entry = await store.get(ctx.keys.quotaUsage.one(projectId), QuotaUsage);
  return entry ?? ({ value: ZERO_USAGE, modRevision: 0 } as Pick<Entry<QuotaUsage>, 'value' | 'modRevision'>);
}

/** Adds a usage change to `txn`, compared against the revision it was read at. */
export function putUsage(txn: Txn, key: string, modRevision: number, usage: QuotaUsage): Txn {
  return txn.compare(key, modRevision).put(key, usage);
}
