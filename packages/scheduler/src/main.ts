// The scheduler process: `node dist/main.js`, configured by NUBO_* variables
// (see docs/scheduler.md). Run as many copies as you like; one leads.
import { createLogger, loadConfig, Store } from '@nubo/shared';
import { SchedulerConfig } from './config.js';
import { Scheduler } from './scheduler.js';

const config = loadConfig(SchedulerConfig, { file: process.env.NUBO_CONFIG_FILE });
const log = createLogger('scheduler', { level: config.logLevel });
const store = new Store({ endpoints: config.etcdEndpoints, faultHandling: 'overload-tolerant' });
const scheduler = new Scheduler(store, config, log);
scheduler.start();
log.info({ id: config.schedulerId, weigher: config.weigher }, 'scheduler started');

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await scheduler.stop();
  await store.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
