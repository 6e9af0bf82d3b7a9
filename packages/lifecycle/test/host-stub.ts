import { Allocation, HostRequest, type Keys, type Store, Vm } from '@nubo/shared';

/**
 * Plays the host daemon's part of a `scrub` request, per docs/requests.md:
 * claims the request (compared), "destroys the domain and disk" (nothing to
 * destroy here), then in one transaction deletes the request, sets the VM
 * `closed` and removes it from `allocations/<host>`. Returns the VMs closed.
 */
export async function hostStubScrub(store: Store, keys: Keys, host: string, now: string): Promise<string[]> {
  const closed: string[] = [];
  const { entries } = await store.list(keys.requests.host.ofHost(host), HostRequest);
  for (const req of entries.filter((e) => e.value.kind === 'scrub')) {
    const claimed = { ...req.value, claimedBy: `stub-${host}`, claimedAt: now };
    const claimRev = await store.txn().compare(req.key, req.modRevision).put(req.key, claimed).commit();
    const vm = await store.require(keys.vms.one(req.value.vmId), Vm);
    const alloc = await store.require(keys.allocations.one(host), Allocation);
    const { [vm.value.id]: freed, ...rest } = alloc.value.vms;
    const used = { ...alloc.value.used };
    if (freed) {
      used.cpus -= freed.cpus;
      used.ramMiB -= freed.ramMiB;
      used.diskGiB -= freed.diskGiB;
    }
    await store
      .txn()
      .compare(req.key, claimRev)
      .compare(vm.key, vm.modRevision)
      .compare(alloc.key, alloc.modRevision)
      .delete(req.key)
      .put(vm.key, { ...vm.value, state: 'closed', reason: 'scrubbed', updatedAt: now })
      .put(alloc.key, { ...alloc.value, used, vms: rest })
      .commit();
    closed.push(vm.value.id);
  }
  return closed;
}
