export { type Commit, directCommit, groupedCommit } from './commit.js';
export { HostConfig } from './config.js';
export { HostDaemon, type HostDaemonOptions } from './daemon.js';
export {
  type DomainInfo,
  type DomainNic,
  type DomainPower,
  type DomainSpec,
  domainName,
  type HypervisorDriver,
  vmIdOfDomain,
} from './driver.js';
export { createDriver } from './driver-factory.js';
export { FakeDriver, type FakeDriverOptions, type FakeOp } from './drivers/fake.js';
export { MemoryImageStore } from './drivers/fake-images.js';
export { HypervDriver, type HypervDriverOptions } from './drivers/hyperv/driver.js';
export {
  encodeCommand,
  type PsValue,
  powershellCommandLine,
  psLiteral,
  psScript,
} from './drivers/hyperv/powershell.js';
export {
  fingerprint,
  LocalPowerShell,
  type PowerShellTransport,
  type ScriptResult,
  type SshTarget,
  SshTransport,
} from './drivers/hyperv/transport.js';
export {
  type AccelFacts,
  chooseDomainType,
  detectDomainType,
  gatherAccelFacts,
} from './drivers/libvirt/domain-type.js';
export { type DomainType, domainXml, tapName, xmlEscape } from './drivers/libvirt/domain-xml.js';
export { LibvirtDriver, type LibvirtDriverOptions, powerOf } from './drivers/libvirt/driver.js';
export { ensureLibvirtd, type LibvirtDaemons, QEMU_CONF } from './drivers/libvirt/libvirtd.js';
export { type LibvirtUri, parseVirshList, VIRSH, Virsh } from './drivers/libvirt/virsh.js';
export { type SimulatedHost, SimulatedHostFleet, type SimulatedHostFleetOptions } from './fleet.js';
export { type FleetHost, FleetRegistration } from './fleet-registration.js';
export { type ActContext, HANDLERS, type Handler } from './handlers.js';
export { HostWorker, type HostWorkerOptions } from './host-worker.js';
export type { ImageSource, ResolvedImage } from './image-source.js';
export { CommandError, type CommandResult, runCommand } from './images/command.js';
export { FsImageStore, type FsImageStoreOptions } from './images/fs-store.js';
export { imageInfo, QEMU_IMG, type QemuImgInfo } from './images/qemu-img.js';
export type { BaseImage, ImageStore, ImportSource, StoredImage } from './images/store.js';
export { type ReconcileReport, reconcile } from './reconcile.js';
export { Registration, type RegistrationOptions } from './registration.js';
export { type RunOutcome, runRequest } from './runner.js';
export { resolveSpec, type SpecSources } from './spec.js';
export { VmLocks } from './vm-locks.js';
