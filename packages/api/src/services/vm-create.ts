import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  fieldError,
  isNuboError,
  MAX_USER_DATA_BYTES,
  macToEui64,
  NuboError,
  type SchedulerRequest,
  Vm,
  type VmCreateInput,
  type VmNic,
} from '@nubo/shared';
import type { ProjectRef } from '../auth.js';
import type { ApiContext } from '../context.js';
import { addUsage, assertWithinQuota, vmUsage } from './quota.js';
import { retryOnConflict } from './retry.js';
import { diskGiB, ramMiB } from './sizes.js';
import { type RefSource, readVmRefs } from './vm-refs.js';

export interface CreateResult {
  vm: Vm;
  /** True when an earlier request with the same Idempotency-Key made this VM. */
  replayed: boolean;
}

type Sizes = Pick<Vm, 'cpus' | 'ramMiB' | 'diskGiB'>;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw fieldError('NUBO_VALIDATION', 'headers/idempotency-key', 'must be 1-255 visible ASCII characters');
  }
  return key;
}

/**
 * Creates a VM as docs/requests.md says: one transaction with the VM
 * (`requested`), its name index, a MAC per NIC, the project's quota usage
 * (compared), the Idempotency-Key and a `place` request for the scheduler.
 *
 * The hot path is one transaction and no read: the references come from the
 * watched caches and every one of them is compared by revision in the
 * transaction; MACs are picked at random and guarded by must-not-exist. A
 * stale cache or a clash fails the transaction, and the retry reads etcd.
 * A refusal (4xx) found in the caches is checked against etcd before it is given.
 */
export async function createVm(
  ctx: ApiContext,
  project: ProjectRef,
  input: VmCreateInput,
  idempotencyKey?: string,
): Promise<CreateResult> {
  const p = project.value;
  // Units are parsed once, before anything is read (a bad unit is a 400 at once).
  const sizes: Sizes = { cpus: input.cpus, ramMiB: ramMiB(input.ram), diskGiB: diskGiB(input.disk) };
  if (input.userData !== undefined && Buffer.byteLength(input.userData) > MAX_USER_DATA_BYTES) {
    throw fieldError('NUBO_VALIDATION', '/userData', `is larger than ${MAX_USER_DATA_BYTES} bytes`);
  }
  return ctx.createQueue.run(p.id, () => {
    let source: RefSource = 'cache';
    return retryOnConflict(async () => {
      const from = source;
      source = 'etcd';
      if (from === 'etcd') ctx.metrics.vmCreateReads.inc();
      try {
        return await attempt(ctx, p.id, input, sizes, idempotencyKey, from);
      } catch (err) {
        if (err instanceof ConflictError || !isNuboError(err) || err.status >= 500) throw err;
        // A refusal: made from the caches, it is checked once more against etcd;
        // a retried request whose first try made the VM gets that VM instead.
        const earlier = await replay(ctx, p.id, idempotencyKey);
        if (earlier) return { vm: earlier, replayed: true };
        if (from === 'etcd') throw err;
        ctx.metrics.vmCreateReads.inc();
        return attempt(ctx, p.id, input, sizes, idempotencyKey, 'etcd');
      }
    });
  });
}

async function attempt(
  ctx: ApiContext,
  projectId: string,
  input: VmCreateInput,
  sizes: Sizes,
  idempotencyKey: string | undefined,
  source: RefSource,
): Promise<CreateResult> {
  const refs = await readVmRefs(ctx, projectId, input, source);
  const now = new Date().toISOString();
  const vm: Vm = {
    id: randomUUID(),
    projectId,
    name: input.name,
    ...sizes,
    imageId: refs.image.value.id,
    nics: [],
    sshKeyIds: refs.sshKeys.map((k) => k.value.id),
    ...(input.userData !== undefined ? { userData: input.userData } : {}),
    state: 'requested',
    createdAt: now,
    updatedAt: now,
  };
  const next = addUsage(refs.usage.value, vmUsage(vm));
  assertWithinQuota(next, refs.project.value.quota);
  const txn = ctx.store.txn({ grouped: true });
  for (const [key, modRevision] of refs.seen) txn.compare(key, modRevision);
  for (const net of refs.networks) {
    const mac = ctx.macs.claim(txn, { vmId: vm.id, networkId: net.value.id });
    vm.nics.push({ networkId: net.value.id, mac, ipv6: macToEui64(mac, net.value.ipv6Prefix) } as VmNic);
  }
  // The request carries the VM as written here, so the scheduler need not read it (schemas/request.ts).
  const request: SchedulerRequest = { id: randomUUID(), kind: 'place', vmId: vm.id, createdAt: now, vm };
  const usageKey = ctx.keys.quotaUsage.one(projectId);
  txn
    .put(usageKey, next)
    .create(ctx.keys.vms.one(vm.id), vm)
    .create(ctx.keys.vmNames.one(projectId, vm.name), vm.id)
    .create(ctx.keys.requests.scheduler.one(request.id), request);
  if (idempotencyKey) txn.create(ctx.keys.idempotency.one(projectId, idempotencyKey), vm.id);
  try {
    const revision = await txn.commit();
    // The next create in this project starts from here, not from the watch (which lags).
    ctx.cache.usage.remember(usageKey, next, revision);
    return { vm, replayed: false };
  } catch (err) {
    return explainConflict(ctx, projectId, vm.name, idempotencyKey, err);
  }
}

/** The VM an earlier create with this Idempotency-Key made, if any. */
async function replay(ctx: ApiContext, projectId: string, key: string | undefined): Promise<Vm | undefined> {
  if (!key) return undefined;
  const index = await ctx.store.get(ctx.keys.idempotency.one(projectId, key));
  if (!index) return undefined;
  const vm = await ctx.store.get(ctx.keys.vms.one(String(index.value)), Vm);
  return vm?.value;
}

/** A lost race is retried; a taken key is an answer: the earlier VM (same Idempotency-Key) or a name clash. */
async function explainConflict(
  ctx: ApiContext,
  projectId: string,
  name: string,
  idempotencyKey: string | undefined,
  err: unknown,
): Promise<CreateResult> {
  if (!(err instanceof ConflictError)) throw err;
  if (idempotencyKey && err.keys.includes(ctx.keys.idempotency.one(projectId, idempotencyKey))) {
    const earlier = await replay(ctx, projectId, idempotencyKey);
    if (earlier) return { vm: earlier, replayed: true };
  }
  if (err.keys.includes(ctx.keys.vmNames.one(projectId, name))) {
    throw new NuboError('NUBO_ALREADY_EXISTS', `a VM named ${name} already exists in this project`, {
      details: [{ field: '/name', message: 'is taken' }],
    });
  }
  throw err;
}
