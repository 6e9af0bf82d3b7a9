// PodNet daemon entry point: `node dist/main.js` on the PodNet appliance (root).
import { createLogger, loadConfig, Store } from '@nubo/shared';
import { PodnetConfig } from './config.js';
import { PodnetDaemon } from './daemon/daemon.js';

const config = loadConfig(PodnetConfig, { file: process.env.NUBO_PODNET_CONFIG });
const log = createLogger('podnet', { level: config.logLevel });
const store = new Store({ endpoints: config.etcdEndpoints });
const daemon = new PodnetDaemon(store, config, log);

async function shutdown(): Promise<void> {
  await daemon.stop();
  await store.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

daemon.start().then(
  () => log.info({ namespacePrefix: config.namespacePrefix, transport: config.transport }, 'podnet started'),
  (err) => {
    log.error({ err }, 'podnet failed to start');
    process.exit(1);
  },
);
