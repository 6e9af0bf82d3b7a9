import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  fieldError,
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
import { addUsage, assertWithinQuota, putUsage, vmUsage } from './quota.js';
import { retryOnConflict } from './retry.js';
import { diskGiB, ramMiB } from './sizes.js';
import { readVmRefs } from './vm-refs.js';

export interface CreateResult {
  vm: Vm;
  /** True when an earlier request with the same Idempotency-Key made this VM. */
  replayed: boolean;
}

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
 */
export async function createVm(
  ctx: ApiContext,
  project: ProjectRef,
  input: VmCreateInput,
  idempotencyKey?: string,
): Promise<CreateResult> {
  const p = project.value;
  const sizes = { cpus: input.cpus, ramMiB: ramMiB(input.ram), diskGiB: diskGiB(input.disk) };
  if (input.userData !== undefined && Buffer.byteLength(input.userData) > MAX_USER_DATA_BYTES) {
    throw fieldError('NUBO_VALIDATION', '/userData', `is larger than ${MAX_USER_DATA_BYTES} bytes`);
  }
  return ctx.createQueue.run(p.id, () =>
    retryOnConflict(async () => {
      const refs = await readVmRefs(ctx, p, input, idempotencyKey);
      if (refs.earlierVmId) {
        const earlier = await ctx.store.get(ctx.keys.vms.one(refs.earlierVmId), Vm);
        if (earlier) return { vm: earlier.value, replayed: true };
      }
      const now = new Date().toISOString();
      const vm: Vm = {
        id: randomUUID(),
        projectId: p.id,
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
      assertWithinQuota(next, refs.project.quota);
      const txn = ctx.store.txn();
      const macs = await Promise.all(
        refs.networks.map((net) => ctx.macs.reserve(txn, { vmId: vm.id, networkId: net.value.id })),
      );
      refs.networks.forEach((net, i) => {
        const mac = macs[i]!;
        vm.nics.push({ networkId: net.value.id, mac, ipv6: macToEui64(mac, net.value.ipv6Prefix) } as VmNic);
        txn.compare(net.key, net.modRevision);
      });
      const request: SchedulerRequest = { id: randomUUID(), kind: 'place', vmId: vm.id, createdAt: now };
      putUsage(txn, ctx.keys.quotaUsage.one(p.id), refs.usage.modRevision, next)
        .compare(refs.image.key, refs.image.modRevision)
        .create(ctx.keys.vms.one(vm.id), vm)
        .create(ctx.keys.vmNames.one(p.id, vm.name), vm.id)
        .create(ctx.keys.requests.scheduler.one(request.id), request);
      if (idempotencyKey) txn.create(ctx.keys.idempotency.one(p.id, idempotencyKey), vm.id);
      try {
        await txn.commit();
        return { vm, replayed: false };
      } catch (err) {
        return explainConflict(ctx, p.id, vm.name, idempotencyKey, err);
      }
    }),
  );
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
