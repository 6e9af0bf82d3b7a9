// A fake hypervisor whose domains outlive the daemon: a real host keeps its
// libvirt domains when the Nubo daemon is killed, so this driver keeps them in
// a JSON file ("the machine") that a restarted daemon, and the test, read back.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type DomainPower, type DomainSpec, FakeDriver, type FakeDriverOptions } from '@nubo/host';

interface MachineFile {
  domains: { vmId: string; spec: DomainSpec; power: DomainPower }[];
}

/** Reads what a machine file says is defined there (absent file: nothing). */
export function readMachine(path: string): MachineFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as MachineFile;
  } catch {
    return { domains: [] };
  }
}

export class MachineDriver extends FakeDriver {
  constructor(
    private readonly file: string,
    options: FakeDriverOptions = {},
  ) {
    super(options);
    for (const d of readMachine(file).domains) this.domains.set(d.vmId, { spec: d.spec, power: d.power });
  }

  override async define(spec: DomainSpec): Promise<void> {
    await super.define(spec);
    this.save();
  }
  override async start(vmId: string): Promise<void> {
    await super.start(vmId);
    this.save();
  }
  override async stop(vmId: string): Promise<void> {
    await super.stop(vmId);
    this.save();
  }
  override async reboot(vmId: string): Promise<void> {
    await super.reboot(vmId);
    this.save();
  }
  override async resize(spec: DomainSpec): Promise<void> {
    await super.resize(spec);
    this.save();
  }
  override async destroy(vmId: string): Promise<void> {
    await super.destroy(vmId);
    this.save();
  }

  /** Atomic (write + rename), so a SIGKILL leaves the old or the new state, never half of one. */
  private save(): void {
    const data: MachineFile = {
      domains: [...this.domains].map(([vmId, d]) => ({ vmId, spec: d.spec, power: d.power })),
    };
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.file);
  }
}
