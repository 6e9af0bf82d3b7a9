import { fieldError, type Logger, NuboError, type Resources } from '@nubo/shared';
import type { DomainInfo, DomainPower, DomainSpec, HypervisorDriver } from '../../driver.js';
import { domainName, vmIdOfDomain } from '../../driver.js';
import * as scripts from './scripts.js';
import type { PowerShellTransport } from './transport.js';

export interface HypervDriverOptions {
  /** SSH to the Windows host's OpenSSH (`SshTransport`) or local PowerShell (`LocalPowerShell`). */
  transport: PowerShellTransport;
  /** The Windows directory for VM disks, e.g. `D:\Hyper-V\Disks`. */
  diskDir: string;
  capacity?: Resources;
  stopTimeoutMs?: number;
  logger?: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOT_FOUND = /unable to find a virtual machine/i;
const GIB = 1024 ** 3;

/** Drives Hyper-V with PowerShell scripts; every method is idempotent. */
export class HypervDriver implements HypervisorDriver {
  readonly kind = 'hyperv' as const;

  constructor(private readonly options: HypervDriverOptions) {}

  async capacity(): Promise<Resources> {
    if (this.options.capacity) return this.options.capacity;
    const host = JSON.parse(await this.run('capacity', scripts.capacityScript())) as Record<string, number>;
    return {
      cpus: host.cpus ?? 0,
      ramMiB: Math.floor((host.memoryBytes ?? 0) / 1024 ** 2),
      diskGiB: Math.floor((host.diskFreeBytes ?? 0) / GIB),
    };
  }

  async list(): Promise<DomainInfo[]> {
    const out = (await this.run('list', scripts.listScript())).trim();
    const vms = (out ? JSON.parse(out) : []) as { name: string; state: string }[];
    return vms.map(({ name, state }) => {
      const vmId = vmIdOfDomain(name);
      return { name, power: powerOf(state), ...(vmId ? { vmId } : {}) };
    });
  }

  async define(spec: DomainSpec): Promise<void> {
    await this.run('define', scripts.defineScript(spec, this.diskPath(spec.vmId)));
  }

  async start(vmId: string): Promise<void> {
    await this.run('start', scripts.startScript(checkId(vmId)));
  }

  async stop(vmId: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const ms = options.timeoutMs ?? this.options.stopTimeoutMs ?? 60_000;
    await this.run('stop', scripts.stopScript(checkId(vmId), Math.max(1, Math.ceil(ms / 1000))));
  }

  async reboot(vmId: string): Promise<void> {
    await this.run('reboot', scripts.rebootScript(checkId(vmId)));
  }

  async resize(spec: DomainSpec): Promise<void> {
    await this.run('resize', scripts.resizeScript(spec, this.diskPath(spec.vmId)));
  }

  async destroy(vmId: string): Promise<void> {
    await this.run('destroy', scripts.destroyScript(checkId(vmId), this.diskPath(vmId)));
  }

  diskPath(vmId: string): string {
    return `${this.options.diskDir.replace(/\\+$/, '')}\\${domainName(checkId(vmId))}.vhdx`;
  }

  private async run(operation: string, script: string): Promise<string> {
    this.options.logger?.debug({ operation }, 'hyperv: running script');
    const result = await this.options.transport.run(script);
    if (result.code === 0) return result.stdout;
    const said = result.stderr.trim().replace(/\s+/g, ' ');
    throw new NuboError(
      NOT_FOUND.test(said) ? 'NUBO_NOT_FOUND' : 'NUBO_HYPERVISOR',
      `hyperv ${operation}: ${said}`,
    );
  }
}

function checkId(vmId: string): string {
  if (!UUID.test(vmId)) throw fieldError('NUBO_VALIDATION', '/vmId', 'must be a lower-case UUID');
  return vmId;
}

/** Hyper-V's `VMState` names. */
export function powerOf(state: string): DomainPower {
  if (state === 'Running') return 'running';
  if (state === 'Off') return 'shutoff';
  if (state === 'Paused') return 'paused';
  return 'other';
}
