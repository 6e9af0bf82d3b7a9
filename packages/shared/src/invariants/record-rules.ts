import type { Vm } from '../schemas/index.js';
import type { RegionSnapshot } from './snapshot.js';
import { type CheckOptions, DEFAULT_OVERCOMMIT, DEFAULT_REQUEST_BOUND_MS, type Violation } from './types.js';

/** A VM that still holds its host's resources and may have a domain there. */
export function holdsHost(vm: Vm, host: string): boolean {
  return vm.state !== 'closed' && (vm.host === host || vm.targetHost === host);
}

/** Every running VM is on a host that exists and is alive. */
export function checkRunningOnLiveHost(snap: RegionSnapshot, out: Violation[]): void {
  for (const vm of snap.vms.filter((v) => v.state === 'running')) {
    const subject = `vm ${vm.id}`;
    if (!vm.host) out.push({ rule: 'vm.running.host', subject, message: 'running without a host' });
    else if (!snap.hosts.has(vm.host))
      out.push({ rule: 'vm.running.host', subject, message: `host ${vm.host} unknown` });
    else if (!snap.alive.has(vm.host)) {
      out.push({ rule: 'vm.running.alive', subject, message: `running on ${vm.host}, whose lease is gone` });
    }
  }
}

/** Reserved resources add up, name only VMs that are really there, and stay within capacity × overcommit. */
export function checkCapacity(snap: RegionSnapshot, options: CheckOptions, out: Violation[]): void {
  const ratio = options.overcommit ?? DEFAULT_OVERCOMMIT;
  const vms = new Map(snap.vms.map((v) => [v.id, v]));
  for (const [name, alloc] of snap.allocations) {
    const subject = `allocation ${name}`;
    const sum = Object.values(alloc.vms).reduce(
      (a, r) => ({ cpus: a.cpus + r.cpus, ramMiB: a.ramMiB + r.ramMiB, diskGiB: a.diskGiB + r.diskGiB }),
      { cpus: 0, ramMiB: 0, diskGiB: 0 },
    );
    if (
      sum.cpus !== alloc.used.cpus ||
      sum.ramMiB !== alloc.used.ramMiB ||
      sum.diskGiB !== alloc.used.diskGiB
    ) {
      out.push({
        rule: 'capacity.sum',
        subject,
        message: `used ${JSON.stringify(alloc.used)} ≠ sum ${JSON.stringify(sum)}`,
      });
    }
    for (const vmId of Object.keys(alloc.vms)) {
      const vm = vms.get(vmId);
      if (!vm || !holdsHost(vm, name)) {
        out.push({
          rule: 'capacity.owner',
          subject,
          message: `reserves for VM ${vmId}, which is not on ${name}`,
        });
      }
    }
    const cap = snap.hosts.get(name)?.capacity;
    if (!cap) continue;
    const over =
      alloc.used.cpus > cap.cpus * ratio.cpu ||
      alloc.used.ramMiB > cap.ramMiB * ratio.ram ||
      alloc.used.diskGiB > cap.diskGiB * ratio.disk;
    if (over)
      out.push({
        rule: 'capacity.exceeded',
        subject,
        message: `reserved ${JSON.stringify(alloc.used)} > capacity`,
      });
  }
}

/** No MAC or IPv6 address is used twice, and every MAC in use is reserved for its VM. */
export function checkAddressesUnique(snap: RegionSnapshot, out: Violation[]): void {
  const seenMac = new Map<string, string>();
  const seenIp = new Map<string, string>();
  for (const vm of snap.vms.filter((v) => v.state !== 'closed')) {
    for (const nic of vm.nics) {
      const otherMac = seenMac.get(nic.mac);
      if (otherMac)
        out.push({ rule: 'mac.unique', subject: nic.mac, message: `used by ${otherMac} and ${vm.id}` });
      seenMac.set(nic.mac, vm.id);
      const otherIp = seenIp.get(nic.ipv6);
      if (otherIp)
        out.push({ rule: 'ipv6.unique', subject: nic.ipv6, message: `used by ${otherIp} and ${vm.id}` });
      seenIp.set(nic.ipv6, vm.id);
      if (!snap.macs.has(nic.mac)) {
        out.push({
          rule: 'mac.reserved',
          subject: nic.mac,
          message: `VM ${vm.id} uses a MAC nobody reserved`,
        });
      }
    }
  }
}

/** No request waits unclaimed past the bound. */
export function checkRequestsNotStuck(snap: RegionSnapshot, options: CheckOptions, out: Violation[]): void {
  const bound = options.requestBoundMs ?? DEFAULT_REQUEST_BOUND_MS;
  const now = (options.now ?? new Date()).getTime();
  for (const r of snap.requests) {
    const age = now - Date.parse(r.createdAt);
    if (!r.claimedAt && age > bound) {
      out.push({
        rule: 'request.stuck',
        subject: r.key,
        message: `unclaimed for ${Math.round(age / 1000)} s`,
      });
    }
  }
}
