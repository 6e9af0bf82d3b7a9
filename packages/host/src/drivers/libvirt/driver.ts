import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { NuboError, type Resources } from '@nubo/shared';
import type { DomainInfo, DomainPower, DomainSpec, HypervisorDriver } from '../../driver.js';
import { domainName, vmIdOfDomain } from '../../driver.js';
import type { DirectBoot } from '../../images/boot-files.js';
import type { ImageStore } from '../../images/store.js';
import { detectDomainType } from './domain-type.js';
import { type DomainType, domainXml } from './domain-xml.js';
import { type LibvirtUri, parseVirshList, Virsh } from './virsh.js';

export interface LibvirtDriverOptions {
  /** `qemu:///system` (default) or `test:///default`. */
  uri?: LibvirtUri;
  /** Where VM disks live (overlays on base images). */
  images: Pick<ImageStore, 'createOverlay' | 'growOverlay' | 'deleteOverlay' | 'overlayPath'> &
    Partial<Pick<ImageStore, 'resolve'>>;
  /** Where each domain's serial console is logged, `nubo-<vm id>.serial`. */
  logDir: string;
  /** `auto` (default) detects KVM; `kvm`/`qemu` force it. */
  domainType?: 'auto' | DomainType;
  /** What to offer instead of what the machine reports. */
  capacity?: Resources;
  /** How long a stop waits for the guest to power off before forcing it (default 60 s). */
  stopTimeoutMs?: number;
  virshPath?: string;
}

const POLL_MS = 200;
const GIB = 1024 ** 3;

/** Drives libvirt through `virsh`; every method is idempotent. */
export class LibvirtDriver implements HypervisorDriver {
  readonly kind = 'libvirt' as const;
  readonly virsh: Virsh;
  private domainType?: Promise<DomainType>;

  constructor(private readonly options: LibvirtDriverOptions) {
    this.virsh = new Virsh(options.uri ?? 'qemu:///system', options.virshPath);
  }

  /** `kvm` or `qemu`, detected once (see domain-type.ts). */
  resolveDomainType(): Promise<DomainType> {
    const forced = this.options.domainType;
    if (forced && forced !== 'auto') return Promise.resolve(forced);
    this.domainType ??= detectDomainType(this.virsh);
    return this.domainType;
  }

  async capacity(): Promise<Resources> {
    if (this.options.capacity) return this.options.capacity;
    const info = await this.virsh.run('nodeinfo');
    const cpus = Number(/^CPU\(s\):\s+(\d+)/m.exec(info)?.[1] ?? 0);
    const memKiB = Number(/^Memory size:\s+(\d+) KiB/m.exec(info)?.[1] ?? 0);
    const diskDir = dirname(this.diskPath('00000000-0000-4000-8000-000000000000'));
    await mkdir(diskDir, { recursive: true });
    const fs = await statfs(diskDir);
    return { cpus, ramMiB: Math.floor(memKiB / 1024), diskGiB: Math.floor((fs.bavail * fs.bsize) / GIB) };
  }

  async list(): Promise<DomainInfo[]> {
    const rows = parseVirshList(await this.virsh.run('list', '--all'));
    return rows.map(({ name, state }) => {
      const vmId = vmIdOfDomain(name);
      return { name, power: powerOf(state), ...(vmId ? { vmId } : {}) };
    });
  }

  async define(spec: DomainSpec): Promise<void> {
    const diskPath = await this.options.images.createOverlay(spec.vmId, spec.image, spec.diskGiB);
    await this.defineXml(spec, diskPath);
  }

  async start(vmId: string): Promise<void> {
    const name = domainName(vmId);
    const power = await this.power(vmId);
    if (power === 'running') return;
    if (power === 'paused') await this.virsh.run('resume', name);
    else await this.virsh.run('start', name).catch(ignore(/already active/i));
  }

  async stop(vmId: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const name = domainName(vmId);
    const state = await this.state(vmId);
    if (state === 'shut off' || state === 'crashed') return;
    if (state === 'running' || state === 'in shutdown') {
      await this.virsh.run('shutdown', '--mode', 'acpi', name).catch(ignore(/not running/i));
      const deadline = Date.now() + (options.timeoutMs ?? this.options.stopTimeoutMs ?? 60_000);
      while (Date.now() < deadline) {
        if ((await this.state(vmId)) === 'shut off') return;
        await sleep(POLL_MS);
      }
    }
    await this.virsh.run('destroy', name).catch(ignore(/not running/i));
  }

  /** A stop (ACPI, then forced) and a start: works for every guest, unlike an ACPI reboot. */
  async reboot(vmId: string): Promise<void> {
    await this.stop(vmId);
    await this.start(vmId);
  }

  async resize(spec: DomainSpec): Promise<void> {
    const wasRunning = (await this.power(spec.vmId)) === 'running';
    const current = await this.virsh.run('dominfo', domainName(spec.vmId));
    const cpus = Number(/^CPU\(s\):\s+(\d+)/m.exec(current)?.[1]);
    const memKiB = Number(/^Max memory:\s+(\d+) KiB/m.exec(current)?.[1]);
    const needsRestart = cpus !== spec.cpus || memKiB !== spec.ramMiB * 1024;
    if (wasRunning && !needsRestart) {
      // Only the disk grows: the running QEMU resizes it (qemu-img cannot while QEMU holds the lock).
      const bytes = spec.diskGiB * GIB;
      await this.virsh.run('blockresize', domainName(spec.vmId), 'vda', `${bytes}B`).catch(ignore(/shrink/i));
      return;
    }
    if (wasRunning) await this.stop(spec.vmId);
    await this.define(spec);
    if (wasRunning) await this.start(spec.vmId);
  }

  async destroy(vmId: string): Promise<void> {
    const name = domainName(vmId);
    await this.virsh.runIfExists('destroy', name).catch(ignore(/not running/i));
    await this.virsh.runIfExists('undefine', '--managed-save', '--snapshots-metadata', name);
    await this.options.images.deleteOverlay(vmId);
    await rm(this.serialLog(vmId), { force: true });
  }

  diskPath(vmId: string): string {
    return this.options.images.overlayPath(vmId);
  }

  serialLog(vmId: string): string {
    return join(this.options.logDir, `${domainName(vmId)}.serial`);
  }

  /** libvirt's words for the domain's state (`running`, `shut off`, ...); NUBO_NOT_FOUND if undefined. */
  private async state(vmId: string): Promise<string> {
    const out = await this.virsh.runIfExists('domstate', domainName(vmId));
    if (out === undefined) throw notDefined(vmId);
    return out.trim();
  }

  private async power(vmId: string): Promise<DomainPower> {
    return powerOf(await this.state(vmId));
  }

  /**
   * The base image's kernel, initrd and command line when the image store has
   * them (direct kernel boot, docs/drivers.md), and only for the very base the
   * spec names; otherwise the domain boots from its disk.
   */
  private async directBoot(spec: DomainSpec): Promise<DirectBoot | undefined> {
    const stored = await this.options.images.resolve?.(spec.image.id).catch(() => undefined);
    return stored?.path === spec.image.path ? stored.boot : undefined;
  }

  private async defineXml(spec: DomainSpec, diskPath: string): Promise<void> {
    await mkdir(this.options.logDir, { recursive: true });
    const boot = await this.directBoot(spec);
    const xml = domainXml(spec, {
      type: await this.resolveDomainType(),
      diskPath,
      serialLog: this.serialLog(spec.vmId),
      ...(boot ? { boot } : {}),
    });
    const dir = await mkdtemp(join(tmpdir(), 'nubo-domain-'));
    try {
      const file = join(dir, 'domain.xml');
      await writeFile(file, xml);
      await this.virsh.run('define', '--validate', file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

export function powerOf(state: string): DomainPower {
  if (state === 'running' || state === 'in shutdown') return 'running';
  if (state === 'shut off' || state === 'crashed') return 'shutoff';
  if (state === 'paused' || state === 'pmsuspended') return 'paused';
  return 'other';
}

function notDefined(vmId: string): NuboError {
  return new NuboError('NUBO_NOT_FOUND', `domain ${domainName(vmId)} is not defined`);
}

/** Swallows the one libvirt error that means "already done". */
function ignore(pattern: RegExp): (err: unknown) => void {
  return (err) => {
    if (!(err instanceof Error) || !pattern.test(err.message)) throw err;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
