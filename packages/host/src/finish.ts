import { randomUUID } from 'node:crypto';
import {
  Allocation,
  type HostRequest,
  type Keys,
  readMany,
  releaseVm,
  type Store,
  type Vm,
} from '@nubo/shared';
import type { TxnWriter } from './spec-txn.js';

/**
 * Writes that go with a request's result, in the same transaction as the VM's
 * new state: a scrub frees the VM's reservation, MACs and name; a migration
 * hands over to the target, and the target frees the source's reservation.
 */
export async function addFinishingWrites(
  store: Store,
  keys: Keys,
  me: string,
  req: HostRequest,
  vm: Vm,
  txn: TxnWriter,
): Promise<void> {
  if (req.kind === 'scrub') {
    await releaseReservation(store, keys, me, vm.id, txn);
    await releaseNames(store, keys, vm, txn);
  } else if (req.kind === 'migrate_out') {
    const next: HostRequest = {
      id: randomUUID(),
      kind: 'migrate_in',
      vmId: vm.id,
      peerHost: me,
      createdAt: new Date().toISOString(),
    };
    txn.put(keys.requests.host.one(req.peerHost!, next.id), next);
  } else if (req.kind === 'migrate_in' && vm.host && vm.host !== me) {
    await releaseReservation(store, keys, vm.host, vm.id, txn);
  }
}

async function releaseReservation(
  store: Store,
  keys: Keys,
  host: string,
  vmId: string,
  txn: TxnWriter,
): Promise<void> {
  const key = keys.allocations.one(host);
  const alloc = await store.get(key, Allocation);
  if (!alloc?.value.vms[vmId]) return;
  txn.compare(key, alloc.modRevision).put(key, releaseVm(alloc.value, vmId));
}

/** MACs and the name index, each only if it still belongs to this VM. */
async function releaseNames(store: Store, keys: Keys, vm: Vm, txn: TxnWriter): Promise<void> {
  const owned = [...vm.nics.map((n) => keys.macs.one(n.mac)), keys.vmNames.one(vm.projectId, vm.name)];
  const { entries } = await readMany(store, owned);
  for (const e of entries) {
    if (!e || !belongsTo(e.value, vm.id)) continue;
    txn.compare(e.key, e.modRevision).delete(e.key);
  }
}

function belongsTo(value: unknown, vmId: string): boolean {
  if (value === vmId) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { vmId?: unknown; id?: unknown };
  return v.vmId === vmId || v.id === vmId;
}
