// Entry point of a chaos host: the real HostDaemon (as packages/host/src/main.ts
// builds it) over a MachineDriver whose domains survive kill -9 of this process.
// Env: the host's NUBO_* settings and NUBO_CHAOS_MACHINE (the machine file).
import { HostConfig, HostDaemon, MemoryImageStore } from '@nubo/host';
import { createLogger, loadConfig, Store } from '@nubo/shared';
import { MachineDriver } from './machine-driver.js';

const config = loadConfig(HostConfig, {});
const log = createLogger('host', { level: config.logLevel });
const store = new Store({ endpoints: config.etcdEndpoints });
const machine = process.env.NUBO_CHAOS_MACHINE;
if (!machine) throw new Error('NUBO_CHAOS_MACHINE is required');
const daemon = new HostDaemon({
  store,
  prefix: config.prefix,
  hostname: config.hostname,
  driver: new MachineDriver(machine, { capacity: { cpus: 8, ramMiB: 16_384, diskGiB: 200 } }),
  images: new MemoryImageStore(),
  log,
  leaseTtlSeconds: config.leaseTtlSeconds,
  reconcileIntervalMs: config.reconcileIntervalMs,
});
daemon.start().catch((err: unknown) => {
  log.error({ err }, 'host daemon could not start');
  process.exit(1);
});
