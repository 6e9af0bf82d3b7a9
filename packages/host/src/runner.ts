import {
  ConflictError,
  type Entry,
  HostRequest,
  type Keys,
  type Logger,
  type Store,
  Vm,
  vmReason,
} from '@nubo/shared';
import type { Commit } from './commit.js';
import { addFinishingWrites } from './finish.js';
import { type ActContext, HANDLERS, type KnownEntries, withKnown } from './handlers.js';
import { SpecTxn } from './spec-txn.js';
import type { VmLocks } from './vm-locks.js';

export type RunOutcome = 'done' | 'failed' | 'dropped' | 'taken' | 'retry';

export interface RunnerDeps {
  store: Store;
  keys: Keys;
  /** Who claims: `<host>/<pid>/<boot>`. */
  claimId: string;
  act: ActContext;
  locks: VmLocks;
  log: Logger;
  /** How claims and finishes are committed: one transaction each, or batched across a fleet. */
  commit: Commit;
}

const FINISH_ATTEMPTS = 5;

/**
 * Carries out one host request exactly once: claim (a transaction on the
 * request's revision), run the driver step under the VM's lock, then in one
 * transaction delete the request and write the VM's new state. A request
 * that no longer applies (the VM moved on) is dropped with a log line.
 */
export async function runRequest(deps: RunnerDeps, entry: Entry<HostRequest>): Promise<RunOutcome> {
  const claimed = await claim(deps, entry);
  if (!claimed) return 'taken';
  return deps.locks.with(entry.value.vmId, () => carryOut(deps, entry.value, entry.key, claimed));
}

/** A claimed request's revision, its VM when the claim could read it, and what else the claim read. */
interface Claimed {
  rev: number;
  vm: Entry<Vm> | undefined;
  /** Keys the claim read for the VM's spec (request's `specReads`), absent ones included as undefined. */
  known?: KnownEntries;
}

/**
 * Claims the request and reads its VM in one transaction (one round-trip),
 * with the image and networks the request names for its spec. What is read
 * there is current at claim time; work queued behind another request of the
 * same VM re-reads it, since that request may have changed it.
 */
async function claim(deps: RunnerDeps, entry: Entry<HostRequest>): Promise<Claimed | undefined> {
  const claimed: HostRequest = {
    ...entry.value,
    claimedBy: deps.claimId,
    claimedAt: new Date().toISOString(),
  };
  const specKeys = specReadKeys(deps.keys, entry.value);
  const res = await deps.commit({
    compare: [{ key: entry.key, modRevision: entry.modRevision }],
    puts: [{ key: entry.key, value: claimed }],
    reads: [{ key: deps.keys.vms.one(entry.value.vmId), schema: Vm }, ...specKeys.map((key) => ({ key }))],
  });
  if (!res) return ownClaim(deps, entry.key);
  if (deps.locks.busy(entry.value.vmId)) return { rev: res.revision, vm: undefined };
  const vm = res.entries[0] as Entry<Vm> | undefined;
  if (specKeys.length === 0) return { rev: res.revision, vm };
  const known: KnownEntries = new Map(specKeys.map((key, i) => [key, res.entries[i + 1]]));
  return { rev: res.revision, vm, known };
}

function specReadKeys(keys: Keys, req: HostRequest): string[] {
  if (!req.specReads) return [];
  return [
    keys.images.one(req.specReads.imageId),
    ...req.specReads.networkIds.map((id) => keys.networks.one(id)),
  ];
}

/**
 * A claim that "lost" may have been ours: when etcd applied it but its answer
 * was lost (a member died mid-call), the client's retry compares a revision
 * that our own claim just moved. The request then carries our claim id.
 */
async function ownClaim(deps: RunnerDeps, key: string): Promise<Claimed | undefined> {
  const now = await deps.store.get(key, HostRequest);
  if (now?.value.claimedBy !== deps.claimId) return undefined;
  return { rev: now.modRevision, vm: undefined };
}

async function carryOut(
  deps: RunnerDeps,
  req: HostRequest,
  key: string,
  claimed: Claimed,
): Promise<RunOutcome> {
  const handler = HANDLERS[req.kind];
  const me = deps.act.me;
  const claimRev = claimed.rev;
  const vm = claimed.vm ?? (await deps.store.get(deps.keys.vms.one(req.vmId), Vm));
  if (!vm || !handler.applies(vm.value, req, me)) return drop(deps, req, key, claimRev, vm?.value);
  const act = claimed.known ? { ...deps.act, spec: withKnown(deps.act.spec, claimed.known) } : deps.act;
  let failure: string | undefined;
  try {
    await handler.act(act, vm.value, req);
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    deps.log.warn({ request: req.id, kind: req.kind, vm: req.vmId, err }, 'request failed');
    if (!handler.canFail) return 'retry';
  }
  return finish(deps, req, key, claimRev, vm, failure);
}

async function finish(
  deps: RunnerDeps,
  req: HostRequest,
  key: string,
  claimRev: number,
  known: Entry<Vm> | undefined,
  failure?: string,
): Promise<RunOutcome> {
  const handler = HANDLERS[req.kind];
  const me = deps.act.me;
  // First against the VM as read before acting (compared, so a change meanwhile is seen); then re-read.
  let vm = known;
  for (let attempt = 1; ; attempt++) {
    if (!vm || !handler.applies(vm.value, req, me)) return drop(deps, req, key, claimRev, vm?.value);
    const txn = new SpecTxn().compare(key, claimRev).delete(key).compare(vm.key, vm.modRevision);
    if (failure) {
      const reason = vmReason(`${req.kind} failed on ${me}: ${failure}`);
      txn.put(vm.key, { ...vm.value, state: 'unresourced', reason, updatedAt: new Date().toISOString() });
    } else {
      const next = handler.after(vm.value, req, me);
      if (next) txn.put(vm.key, next);
      await addFinishingWrites(deps.store, deps.keys, me, req, vm.value, txn);
    }
    if (await deps.commit(txn.spec)) return failure ? 'failed' : 'done';
    const [request, fresh] = await Promise.all([deps.store.get(key), deps.store.get(vm.key, Vm)]);
    if (request?.modRevision !== claimRev) return 'taken';
    if (attempt >= FINISH_ATTEMPTS) throw new ConflictError(txn.spec.compare.map((g) => g.key));
    vm = fresh;
  }
}

async function drop(
  deps: RunnerDeps,
  req: HostRequest,
  key: string,
  claimRev: number,
  vm?: Vm,
): Promise<RunOutcome> {
  deps.log.warn(
    { request: req.id, kind: req.kind, vm: req.vmId, state: vm?.state, host: vm?.host },
    'dropping a request that no longer applies to its VM',
  );
  await deps.store
    .txn()
    .compare(key, claimRev)
    .delete(key)
    .commit()
    .catch((err) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  return 'dropped';
}
