import { setTimeout as sleep } from 'node:timers/promises';
import { NuboError, type Resources } from '@nubo/shared';
import {
  type DomainInfo,
  type DomainPower,
  type DomainSpec,
  domainName,
  type HypervisorDriver,
} from '../driver.js';

interface FakeDomain {
  spec: DomainSpec;
  power: DomainPower;
}

export type FakeOp = 'define' | 'start' | 'stop' | 'reboot' | 'resize' | 'destroy';

export interface FakeDriverOptions {
  capacity?: Resources;
  /** Simulated time each operation takes. */
  delayMs?: number;
  /** Where disks "live", for `diskPath`. */
  diskDir?: string;
}

/**
 * An in-memory hypervisor for tests and for simulating many hosts in one
 * process. It keeps the driver contract (idempotent steps, disks only grow)
 * and can be told to fail an operation, or be given a domain nobody owns.
 */
export class FakeDriver implements HypervisorDriver {
  readonly kind = 'fake' as const;
  readonly domains = new Map<string, FakeDomain>();
  private readonly foreign = new Map<string, DomainPower>();
  private readonly failures: { op: FakeOp; vmId?: string; message: string }[] = [];
  /** Called at the start of every operation (the benchmark times request → driver call with it). */
  onCall: (op: FakeOp, vmId: string) => void = () => {};
  readonly calls: { op: FakeOp; vmId: string }[] = [];

  constructor(private readonly options: FakeDriverOptions = {}) {}

  async capacity(): Promise<Resources> {
    return this.options.capacity ?? { cpus: 16, ramMiB: 65_536, diskGiB: 1_000 };
  }

  async list(): Promise<DomainInfo[]> {
    const ours = [...this.domains].map(([vmId, d]) => ({ name: domainName(vmId), vmId, power: d.power }));
    const theirs = [...this.foreign].map(([name, power]) => ({ name, power }));
    return [...ours, ...theirs];
  }

  async define(spec: DomainSpec): Promise<void> {
    await this.enter('define', spec.vmId);
    const known = this.domains.get(spec.vmId);
    this.domains.set(spec.vmId, { spec, power: known?.power ?? 'shutoff' });
  }

  async start(vmId: string): Promise<void> {
    await this.enter('start', vmId);
    this.require(vmId).power = 'running';
  }

  async stop(vmId: string): Promise<void> {
    await this.enter('stop', vmId);
    const domain = this.domains.get(vmId);
    if (domain) domain.power = 'shutoff';
  }

  async reboot(vmId: string): Promise<void> {
    await this.enter('reboot', vmId);
    this.require(vmId).power = 'running';
  }

  async resize(spec: DomainSpec): Promise<void> {
    await this.enter('resize', spec.vmId);
    const domain = this.require(spec.vmId);
    if (spec.diskGiB < domain.spec.diskGiB) {
      throw new NuboError(
        'NUBO_HYPERVISOR',
        `disks only grow: ${domain.spec.diskGiB} GiB → ${spec.diskGiB} GiB`,
      );
    }
    domain.spec = spec;
  }

  async destroy(vmId: string): Promise<void> {
    await this.enter('destroy', vmId);
    this.domains.delete(vmId);
  }

  diskPath(vmId: string): string {
    return `${this.options.diskDir ?? '/fake/disks'}/${domainName(vmId)}.qcow2`;
  }

  /** The next `op` (on `vmId`, or any VM) fails with `message`. */
  failNext(op: FakeOp, message: string, vmId?: string): void {
    this.failures.push({ op, message, ...(vmId ? { vmId } : {}) });
  }

  /** A domain Nubo did not make (another tool's, or a leftover). */
  addForeign(name: string, power: DomainPower = 'running'): void {
    this.foreign.set(name, power);
  }

  power(vmId: string): DomainPower | undefined {
    return this.domains.get(vmId)?.power;
  }

  private async enter(op: FakeOp, vmId: string): Promise<void> {
    this.onCall(op, vmId);
    this.calls.push({ op, vmId });
    if (this.calls.length > 10_000) this.calls.splice(0, 5_000);
    if (this.options.delayMs) await sleep(this.options.delayMs);
    const i = this.failures.findIndex((f) => f.op === op && (!f.vmId || f.vmId === vmId));
    if (i >= 0) {
      const [failure] = this.failures.splice(i, 1);
      throw new NuboError('NUBO_HYPERVISOR', failure!.message);
    }
  }

  private require(vmId: string): FakeDomain {
    const domain = this.domains.get(vmId);
    if (!domain) throw new NuboError('NUBO_HYPERVISOR', `domain ${domainName(vmId)} is not defined`);
    return domain;
  }
}
