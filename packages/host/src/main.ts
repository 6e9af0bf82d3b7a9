// The host daemon process: `node dist/main.js` on every hypervisor, configured
// by NUBO_* variables (see docs/host.md).
import { createLogger, loadConfig, Store } from '@nubo/shared';
import { HostConfig } from './config.js';
import { HostDaemon } from './daemon.js';
import { createDriver } from './driver-factory.js';
import { networkAttachFromConfig } from './network-attach.js';

const config = loadConfig(HostConfig, { file: process.env.NUBO_CONFIG_FILE });
const log = createLogger('host', { level: config.logLevel });
const store = new Store({ endpoints: config.etcdEndpoints, faultHandling: 'overload-tolerant' });
const { driver, images } = createDriver(config);
const template = config.bridgeTemplate;
const attach = networkAttachFromConfig(config);
const daemon = new HostDaemon({
  store,
  prefix: config.prefix,
  hostname: config.hostname,
  driver,
  images,
  log,
  capacity: { cpus: config.capacityCpus, ramMiB: config.capacityRamMiB, diskGiB: config.capacityDiskGiB },
  leaseTtlSeconds: config.leaseTtlSeconds,
  reconcileIntervalMs: config.reconcileIntervalMs,
  bridgeFor: attach
    ? (network) => attach.ensure(network)
    : (network) => (template ? template.replace('{segment}', String(network.segment)) : undefined),
  ...(config.address ? { address: config.address } : {}),
});

daemon.start().then(
  () => log.info({ host: config.hostname, driver: config.driver }, 'host daemon started'),
  (err) => {
    log.error({ err }, 'host daemon could not start');
    process.exit(1);
  },
);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // The lease is left to expire: a quick restart (an upgrade) does not mark the VMs lost.
  await daemon.stop();
  await store.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
