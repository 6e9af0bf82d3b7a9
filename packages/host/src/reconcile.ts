import { Allocation, type Entry, type Keys, type Logger, readMany, type Store, Vm } from '@nubo/shared';
import type { DomainInfo, HypervisorDriver } from './driver.js';
import { invalidRecord } from './invalid-records.js';
import type { VmLocks } from './vm-locks.js';

/** What one reconcile pass found and did. */
export interface ReconcileReport {
  /** Domains started because their VM should run. */
  started: string[];
  /** Domains stopped because their VM should not run (here, or at all). */
  stopped: string[];
  /** Nubo domains whose VM etcd does not place here; stopped if running, never destroyed. */
  unowned: string[];
  /** VMs etcd places here that have no domain; left for a human (their disk may be gone). */
  missing: string[];
  /** Domains that are not Nubo's (another tool's); left alone. */
  foreign: string[];
}

export interface ReconcileDeps {
  store: Store;
  keys: Keys;
  me: string;
  driver: HypervisorDriver;
  locks: VmLocks;
  log: Logger;
}

/**
 * Brings the hypervisor in line with etcd for the VMs of this host (the ids
 * in `allocations/<me>`): starts what should run, stops what should not.
 * VMs with a request in flight (their lock is held) or in a transitional
 * state are left to that request. Nothing is ever destroyed here: a domain
 * or disk that etcd cannot account for is reported, for a human to decide.
 */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { started: [], stopped: [], unowned: [], missing: [], foreign: [] };
  const domains = await deps.driver.list();
  const alloc = await deps.store.get(deps.keys.allocations.one(deps.me), Allocation);
  const ids = new Set([
    ...Object.keys(alloc?.value.vms ?? {}),
    ...domains.flatMap((d) => (d.vmId ? [d.vmId] : [])),
  ]);
  const { vms, unreadable } = await readVms(deps, [...ids]);
  const byVm = new Map(domains.flatMap((d) => (d.vmId ? [[d.vmId, d] as const] : [])));
  for (const d of domains) if (!d.vmId) report.foreign.push(d.name);
  for (const id of ids) {
    // A VM whose record cannot be read is neither started nor stopped: etcd
    // may well want it running. It is logged (readVms) until someone fixes it.
    if (deps.locks.busy(id) || unreadable.has(id)) continue;
    await deps.locks.with(id, () => reconcileOne(deps, vms.get(id)?.value, byVm.get(id), report));
  }
  if (report.started.length + report.stopped.length + report.unowned.length + report.missing.length > 0)
    deps.log.warn({ ...report, foreign: report.foreign.length }, 'reconcile changed or found something');
  return report;
}

async function readVms(
  deps: ReconcileDeps,
  ids: string[],
): Promise<{ vms: Map<string, Entry<Vm>>; unreadable: Set<string> }> {
  const unreadable = new Set<string>();
  const log = invalidRecord(deps.log, 'VM record');
  const { entries } = await readMany(
    deps.store,
    ids.map((id) => deps.keys.vms.one(id)),
    Vm,
    {
      onInvalid: (key, err, rev) => {
        unreadable.add(key.slice(deps.keys.vms.prefix.length));
        log(key, err, rev);
      },
    },
  );
  const vms = new Map(entries.flatMap((e, i) => (e ? [[ids[i]!, e] as const] : [])));
  return { vms, unreadable };
}

type Want = 'running' | 'off' | 'leave';

function wanted(vm: Vm | undefined, me: string): Want | 'elsewhere' {
  if (!vm || vm.state === 'closed') return 'elsewhere';
  if (vm.targetHost === me) return 'leave'; // arriving by migration
  if (vm.host !== me) return 'elsewhere';
  if (vm.state === 'running') return 'running';
  if (vm.state === 'quiesced' || vm.state === 'scrub_queue') return 'off';
  return 'leave';
}

async function reconcileOne(
  deps: ReconcileDeps,
  vm: Vm | undefined,
  domain: DomainInfo | undefined,
  report: ReconcileReport,
): Promise<void> {
  const want = wanted(vm, deps.me);
  if (want === 'elsewhere') {
    if (!domain) return;
    report.unowned.push(domain.name);
    if (domain.power === 'running')
      await act(deps, () => deps.driver.stop(domain.vmId!), report.stopped, domain.name);
    return;
  }
  if (want === 'leave') return;
  if (!domain) {
    report.missing.push(vm!.id);
    return;
  }
  const start = want === 'running' && domain.power !== 'running';
  const stop = want === 'off' && domain.power === 'running';
  if (!start && !stop) return;
  // The list was read before this VM's lock was taken: act only if etcd still says so.
  const fresh = await deps.store.get(deps.keys.vms.one(vm!.id), Vm);
  if (wanted(fresh?.value, deps.me) !== want) return;
  if (start) await act(deps, () => deps.driver.start(vm!.id), report.started, domain.name);
  else await act(deps, () => deps.driver.stop(vm!.id), report.stopped, domain.name);
}

async function act(
  deps: ReconcileDeps,
  step: () => Promise<void>,
  list: string[],
  name: string,
): Promise<void> {
  try {
    await step();
    list.push(name);
  } catch (err) {
    deps.log.error({ err, domain: name }, 'reconcile step failed; next pass tries again');
  }
}
