import {
  isValid,
  type Keys,
  Network,
  normalizeIpv6,
  SshKey,
  Vm,
  type VmState,
  type WatchEvent,
} from '@nubo/shared';

/** VMs in these states have no metadata: they are being deleted. */
export const UNSERVED_STATES: ReadonlySet<VmState> = new Set(['scrub_queue', 'scrubbing', 'closed']);

export type Kind = 'vms' | 'sshKeys' | 'networks';

/** What the index holds of one NIC: the VM it belongs to and the address it must ask from. */
export interface NicEntry {
  vmKey: string;
  index: number;
  ipv6: string;
}

/**
 * In-memory view of the VMs, SSH keys and networks in etcd, fed by watch
 * events, with a MAC → NIC index. Records that do not match their schema are
 * skipped (and reported through `onInvalid`), so one bad record never stops the feed.
 */
export class VmIndex {
  readonly vms = new Map<string, Vm>();
  readonly sshKeys = new Map<string, SshKey>();
  readonly networks = new Map<string, Network>();
  private readonly byMac = new Map<string, NicEntry[]>();
  /** Moves on every change, so answers cached per requester know when they are stale. */
  generation = 0;

  constructor(
    private readonly keys: Keys,
    private readonly onInvalid: (key: string) => void = () => {},
  ) {}

  apply(kind: Kind, event: WatchEvent<unknown>): void {
    this.generation++;
    if (event.type === 'reset') {
      this.clear(kind);
      for (const entry of event.entries) this.put(kind, entry.key, entry.value);
    } else if (event.type === 'put') {
      this.put(kind, event.key, event.entry.value);
    } else {
      this.remove(kind, event.key);
    }
  }

  /** The NIC with this MAC, when exactly one served VM has it. */
  nicByMac(mac: string): NicEntry | undefined {
    const nics = this.byMac.get(mac);
    return nics?.length === 1 ? nics[0] : undefined;
  }

  get size(): number {
    return this.vms.size;
  }

  private clear(kind: Kind): void {
    if (kind === 'vms') {
      this.vms.clear();
      this.byMac.clear();
    } else this[kind].clear();
  }

  private put(kind: Kind, key: string, value: unknown): void {
    this.remove(kind, key);
    if (kind === 'vms') this.putVm(key, value);
    else if (kind === 'sshKeys') this.putSshKey(key, value);
    else if (isValid(Network, value)) this.networks.set((value as Network).id, value as Network);
    else this.onInvalid(key);
  }

  private putVm(key: string, value: unknown): void {
    if (!isValid(Vm, value)) {
      this.onInvalid(key);
      return;
    }
    const vm = value as Vm;
    if (UNSERVED_STATES.has(vm.state)) return;
    this.vms.set(key, vm);
    vm.nics.forEach((nic, index) => {
      const list = this.byMac.get(nic.mac) ?? [];
      list.push({ vmKey: key, index, ipv6: safeNormalize(nic.ipv6) });
      this.byMac.set(nic.mac, list);
    });
  }

  /** SSH keys are indexed by `<project>/<id>` from their key, and must agree with it. */
  private putSshKey(key: string, value: unknown): void {
    const path = key.slice(this.keys.sshKeys.prefix.length);
    if (!isValid(SshKey, value)) {
      this.onInvalid(key);
      return;
    }
    const sshKey = value as SshKey;
    if (path !== `${sshKey.projectId}/${sshKey.id}`) {
      this.onInvalid(key);
      return;
    }
    // A deleted key waits in the scrub queue; it is revoked from that moment.
    if (sshKey.state === 'scrub_queue') return;
    this.sshKeys.set(path, sshKey);
  }

  private remove(kind: Kind, key: string): void {
    if (kind === 'sshKeys') this.sshKeys.delete(key.slice(this.keys.sshKeys.prefix.length));
    else if (kind === 'networks') this.networks.delete(key.slice(this.keys.networks.prefix.length));
    else this.removeVm(key);
  }

  private removeVm(key: string): void {
    const vm = this.vms.get(key);
    if (!vm) return;
    this.vms.delete(key);
    for (const nic of vm.nics) {
      const rest = (this.byMac.get(nic.mac) ?? []).filter((e) => e.vmKey !== key);
      if (rest.length > 0) this.byMac.set(nic.mac, rest);
      else this.byMac.delete(nic.mac);
    }
  }
}

function safeNormalize(address: string): string {
  try {
    return normalizeIpv6(address);
  } catch {
    return address;
  }
}
