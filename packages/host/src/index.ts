export {
  type DomainInfo,
  type DomainNic,
  type DomainPower,
  type DomainSpec,
  domainName,
  type HypervisorDriver,
  vmIdOfDomain,
} from './driver.js';
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
export { CommandError, type CommandResult, runCommand } from './images/command.js';
export { FsImageStore, type FsImageStoreOptions } from './images/fs-store.js';
export { imageInfo, QEMU_IMG, type QemuImgInfo } from './images/qemu-img.js';
export type { BaseImage, ImageStore, ImportSource, StoredImage } from './images/store.js';
