import { holdsHost } from './record-rules.js';
import type { RegionSnapshot } from './snapshot.js';
import type { CheckOptions, HostObservation, Violation } from './types.js';

const NUBO_DOMAIN = /^nubo-([0-9a-f-]{36})$/;

/** Every running VM's domain exists exactly once in the region, on its own host. */
export function checkDomainsOnce(
  snap: RegionSnapshot,
  observations: HostObservation[],
  out: Violation[],
): void {
  const where = new Map<string, string[]>();
  for (const obs of observations) {
    for (const name of obs.domains) {
      const id = NUBO_DOMAIN.exec(name)?.[1];
      if (id) where.set(id, [...(where.get(id) ?? []), obs.host]);
    }
  }
  const observed = new Set(observations.map((o) => o.host));
  for (const vm of snap.vms.filter((v) => v.state === 'running' && v.host && observed.has(v.host))) {
    const hosts = where.get(vm.id) ?? [];
    if (hosts.length !== 1 || hosts[0] !== vm.host) {
      out.push({
        rule: 'domain.once',
        subject: `vm ${vm.id}`,
        message: `running on ${vm.host}, domain found on [${hosts.join(', ')}]`,
      });
    }
  }
}

/** No Nubo domain, disk or tap exists on a host without a VM that owns it there. */
export function checkNoOrphans(
  snap: RegionSnapshot,
  observations: HostObservation[],
  out: Violation[],
): void {
  const vms = new Map(snap.vms.map((v) => [v.id, v]));
  const owned = (vmId: string, host: string) => {
    const vm = vms.get(vmId);
    return vm !== undefined && holdsHost(vm, host);
  };
  for (const obs of observations) {
    for (const name of obs.domains) {
      const id = NUBO_DOMAIN.exec(name)?.[1];
      if (id && !owned(id, obs.host))
        out.push({ rule: 'orphan.domain', subject: `${obs.host}/${name}`, message: 'no owner' });
    }
    for (const id of obs.disks ?? []) {
      if (!owned(id, obs.host))
        out.push({ rule: 'orphan.disk', subject: `${obs.host}/${id}`, message: 'no owner' });
    }
    for (const tap of obs.taps ?? []) {
      if (!owned(tap.vmId, obs.host))
        out.push({ rule: 'orphan.tap', subject: `${obs.host}/${tap.name}`, message: 'no owner' });
    }
  }
}

/** Every project router namespace belongs to a project that exists. */
export function checkNamespacesOwned(snap: RegionSnapshot, options: CheckOptions, out: Violation[]): void {
  for (const ns of options.namespaces ?? []) {
    const project = options.projectOfNamespace?.(ns);
    if (!project || !snap.projects.has(project)) {
      out.push({ rule: 'orphan.namespace', subject: ns, message: 'no project owns this router namespace' });
    }
  }
}
