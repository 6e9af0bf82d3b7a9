export {
  type DomainInfo,
  type DomainNic,
  type DomainPower,
  type DomainSpec,
  domainName,
  type HypervisorDriver,
  vmIdOfDomain,
} from './driver.js';
