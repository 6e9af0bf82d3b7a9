import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  type Entry,
  type HostRequest,
  Image,
  readMany,
  resourcesOf,
  SchedulerRequest,
  type Txn,
  Vm,
  vmReason,
} from '@nubo/shared';
import { fencedTxn, now, type SchedulerContext } from './context.js';
import { type PlacementItem, PlacementPlan } from './placement.js';

const ATTEMPTS = 8;

interface Work {
  req: Entry<SchedulerRequest>;
  vm: Entry<Vm>;
  item?: PlacementItem;
  /** Set when the VM cannot even be considered (image missing...). */
  refusal?: string;
}

/** A request as the watch delivered it (undefined: read it). */
export type KnownRequest = (id: string) => Entry<SchedulerRequest> | undefined;

/** Outcome counts of one batch, for logs and the benchmark. */
export interface BatchResult {
  placed: number;
  unresourced: number;
  dropped: number;
}

/**
 * Places `place` and `evacuate` requests: reads the batch's requests and VMs in
 * one round-trip, plans against the cluster view, and commits everything in
 * one transaction that compares every touched allocation (and the hosts'
 * liveness). A lost race re-reads the hosts that moved and plans again.
 */
export async function placeBatch(
  ctx: SchedulerContext,
  requestIds: string[],
  known: KnownRequest = () => undefined,
): Promise<BatchResult> {
  let refreshed = false;
  let raced = false;
  for (let attempt = 1; ; attempt++) {
    // After a lost race, read everything again: a request may have moved too.
    const { work, dropped } = await readWork(ctx, requestIds, raced ? () => undefined : known, !raced);
    const txn = fencedTxn(ctx);
    for (const key of dropped) txn.delete(key.key).compare(key.key, key.modRevision);
    const { hosts, ranking } = ctx.view.planning(ctx.policy);
    const plan = new PlacementPlan(hosts, ctx.policy, ranking);
    const result = { placed: 0, unresourced: 0, dropped: dropped.length };
    let refusedByPlan = 0;
    for (const w of work) {
      const decision = w.item ? plan.place(w.item) : { vmId: w.vm.value.id, reason: w.refusal! };
      if ('host' in decision) result.placed++;
      else {
        result.unresourced++;
        if (w.item) refusedByPlan++;
      }
      writeDecision(ctx, txn, w, 'host' in decision ? { host: decision.host } : { reason: decision.reason });
    }
    ctx.view.planned(plan.touched.keys());
    if (refusedByPlan > 0 && !refreshed) {
      // No VM is refused on a view that may lag: read every host once and plan again.
      refreshed = true;
      await ctx.view.refreshAll();
      continue;
    }
    for (const [host, allocation] of plan.touched) {
      const view = ctx.view.view(host)!;
      txn
        .compare(ctx.keys.allocations.one(host), view.allocationRev)
        .put(ctx.keys.allocations.one(host), allocation);
      if (view.aliveRev > 0) txn.compare(ctx.keys.alive.one(host), view.aliveRev);
    }
    if (txn.bytes > ctx.maxTxnBytes && work.length > 1) throw new TooLargeError(txn.bytes);
    try {
      const revision = await txn.commit();
      for (const [host, allocation] of plan.touched) ctx.view.committed(host, allocation, revision);
      return result;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= ATTEMPTS) throw err;
      if (ctx.fence && err.keys.includes(ctx.fence.key)) throw err;
      raced = true;
      await ctx.view.refresh(hostsIn(ctx, err.keys));
    }
  }
}

/** The batch would exceed etcd's request size: the caller splits it. */
export class TooLargeError extends Error {
  override name = 'TooLargeError';
  constructor(readonly bytes: number) {
    super(`placement batch of about ${bytes} bytes is too large for one transaction`);
  }
}

function hostsIn(ctx: SchedulerContext, keys: string[]): string[] {
  const { allocations, alive } = ctx.keys;
  return keys
    .filter((k) => k.startsWith(allocations.prefix) || k.startsWith(alive.prefix))
    .map((k) => k.slice(k.startsWith(alive.prefix) ? alive.prefix.length : allocations.prefix.length));
}

async function readWork(
  ctx: SchedulerContext,
  requestIds: string[],
  known: KnownRequest,
  useCarried: boolean,
): Promise<{ work: Work[]; dropped: { key: string; modRevision: number }[] }> {
  const reqs = await readRequests(ctx, requestIds, known);
  const vms = await readVms(ctx, reqs, useCarried);
  const images = await readImages(ctx, vms);
  const work: Work[] = [];
  const dropped: { key: string; modRevision: number }[] = [];
  const seen = new Set<string>();
  reqs.forEach((req, i) => {
    const vm = vms[i];
    // Two requests for one VM (a restore while its place request still waits):
    // the first places it; a second write of the VM in the same transaction
    // would make etcd refuse the whole batch ("duplicate key given in txn request").
    if (seen.has(req.value.vmId)) {
      ctx.log.warn({ request: req.value.id, vm: req.value.vmId }, 'dropping a second place request for a VM');
      dropped.push({ key: req.key, modRevision: req.modRevision });
      return;
    }
    seen.add(req.value.vmId);
    if (vm?.value.state !== 'requested') {
      ctx.log.warn(
        { request: req.value.id, vm: req.value.vmId, state: vm?.value.state },
        'dropping a place request for a VM that is not requested',
      );
      dropped.push({ key: req.key, modRevision: req.modRevision });
      return;
    }
    work.push(toWork(req, vm, images.get(vm.value.imageId)));
  });
  return { work, dropped };
}

/**
 * The batch's VMs: those their create's request carries (at the request's
 * revision, which is the VM's while nothing changed it), the rest read in one
 * round-trip. After a lost race every VM is read.
 */
async function readVms(
  ctx: SchedulerContext,
  reqs: Entry<SchedulerRequest>[],
  useCarried: boolean,
): Promise<(Entry<Vm> | undefined)[]> {
  const vms = reqs.map((r) => (useCarried ? carriedVm(ctx, r) : undefined));
  const missing = reqs.flatMap((_r, i) => (vms[i] ? [] : [i]));
  if (missing.length === 0) return vms;
  const keys = missing.map((i) => ctx.keys.vms.one(reqs[i]!.value.vmId));
  const { entries } = await readMany(ctx.store, keys, Vm, { chunk: ctx.maxTxnOps });
  missing.forEach((i, n) => {
    vms[i] = entries[n];
  });
  return vms;
}

function carriedVm(ctx: SchedulerContext, req: Entry<SchedulerRequest>): Entry<Vm> | undefined {
  const vm = req.value.vm;
  if (req.value.kind !== 'place' || vm?.id !== req.value.vmId) return undefined;
  return {
    key: ctx.keys.vms.one(vm.id),
    value: vm,
    modRevision: req.modRevision,
    createRevision: req.createRevision,
    version: 1,
    lease: '0',
  };
}

/** The batch's requests: as the watch delivered them, reading only those it did not. */
async function readRequests(
  ctx: SchedulerContext,
  ids: string[],
  known: KnownRequest,
): Promise<Entry<SchedulerRequest>[]> {
  const missing = ids.filter((id) => !known(id));
  const read = new Map<string, Entry<SchedulerRequest>>();
  if (missing.length > 0) {
    const keys = missing.map((id) => ctx.keys.requests.scheduler.one(id));
    // One that no longer parses is left out, as if deleted (the queue then forgets it).
    const onInvalid = (key: string, err: unknown) =>
      ctx.log.error({ err, key }, 'invalid scheduler request; ignored');
    const { entries } = await readMany(ctx.store, keys, SchedulerRequest, {
      chunk: ctx.maxTxnOps,
      onInvalid,
    });
    entries.forEach((e, i) => e && read.set(missing[i]!, e));
  }
  return ids.flatMap((id) => {
    const e = known(id) ?? read.get(id);
    return e ? [e] : [];
  });
}

/** An image whose record cannot be read: its VMs are refused, saying so. */
const UNREADABLE = 'unreadable';

/** The batch's images: ready ones from the cluster view, the rest read in one round-trip. */
async function readImages(
  ctx: SchedulerContext,
  vms: (Entry<Vm> | undefined)[],
): Promise<Map<string, Image | typeof UNREADABLE>> {
  const ids = [...new Set(vms.flatMap((vm) => (vm ? [vm.value.imageId] : [])))];
  const out = new Map<string, Image | typeof UNREADABLE>();
  const missing: string[] = [];
  for (const id of ids) {
    const image = ctx.view.readyImage(id);
    if (image) out.set(id, image);
    else missing.push(id);
  }
  // Refusing its VMs, rather than failing the batch: every VM of that image
  // would fail alike, and halving the batch to find them costs many round-trips.
  const onInvalid = (key: string, err: unknown) => {
    ctx.log.error({ err, key }, 'invalid image record; its VMs are refused');
    out.set(key.slice(ctx.keys.images.prefix.length), UNREADABLE);
  };
  const { entries } = await readMany(
    ctx.store,
    missing.map((id) => ctx.keys.images.one(id)),
    Image,
    { onInvalid },
  );
  entries.forEach((e, i) => e && out.set(missing[i]!, e.value));
  return out;
}

function toWork(
  req: Entry<SchedulerRequest>,
  vm: Entry<Vm>,
  image: Image | typeof UNREADABLE | undefined,
): Work {
  if (!image) return { req, vm, refusal: `image ${vm.value.imageId} does not exist` };
  if (image === UNREADABLE)
    return { req, vm, refusal: `image ${vm.value.imageId} cannot be read (its record is not valid)` };
  if (image.state !== 'ready')
    return { req, vm, refusal: `image ${image.name} is ${image.state}, not ready` };
  const item: PlacementItem = {
    vmId: vm.value.id,
    need: resourcesOf(vm.value),
    hypervisors: image.hypervisors,
  };
  // An evacuated VM keeps its dead host until placed; its reservation there is released in the same transaction.
  if (req.value.kind === 'evacuate' && vm.value.host) item.releaseFrom = vm.value.host;
  return { req, vm, item };
}

function writeDecision(
  ctx: SchedulerContext,
  txn: Txn,
  w: Work,
  d: { host: string } | { reason: string },
): void {
  const { keys } = ctx;
  const vm = w.vm.value;
  txn.compare(w.req.key, w.req.modRevision).delete(w.req.key).compare(w.vm.key, w.vm.modRevision);
  if ('reason' in d) {
    txn.put(w.vm.key, { ...vm, state: 'unresourced', reason: vmReason(d.reason), updatedAt: now() });
    return;
  }
  const { reason: _old, ...rest } = vm;
  txn.put(w.vm.key, { ...rest, state: 'building', host: d.host, updatedAt: now() });
  const request: HostRequest = {
    id: randomUUID(),
    kind: 'build',
    vmId: vm.id,
    createdAt: now(),
    specReads: { imageId: vm.imageId, networkIds: vm.nics.map((n) => n.networkId) },
  };
  txn.put(keys.requests.host.one(d.host, request.id), request);
}
