import type { Keys, Store, Txn, Vm } from '@nubo/shared';

/** Whether an index or reservation value names this VM (a bare id, or `{ vmId }` / `{ id }`). */
function namesVm(value: unknown, vmId: string): boolean {
  if (value === vmId) return true;
  if (value && typeof value === 'object') {
    const v = value as { vmId?: unknown; id?: unknown };
    return v.vmId === vmId || v.id === vmId;
  }
  return false;
}

/**
 * Adds to `txn` the release of what a closed VM still holds: its MACs and its
 * name in the project. Each key is deleted only if it still names this VM
 * (a name may already belong to a new VM) and is compared, so a concurrent
 * change makes the transaction fail instead of deleting someone else's key.
 * Returns the keys it will delete.
 */
export async function releaseHolds(store: Store, keys: Keys, vm: Vm, txn: Txn): Promise<string[]> {
  const candidates = [...vm.nics.map((n) => keys.macs.one(n.mac)), keys.vmNames.one(vm.projectId, vm.name)];
  const released: string[] = [];
  for (const key of candidates) {
    const entry = await store.get(key);
    if (!entry || !namesVm(entry.value, vm.id)) continue;
    txn.compare(key, entry.modRevision).delete(key);
    released.push(key);
  }
  return released;
}
