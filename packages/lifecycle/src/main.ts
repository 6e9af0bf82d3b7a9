import { createLogger, keyLayout, loadConfig, Store } from '@nubo/shared';
import { createTransport } from 'nodemailer';
import { LifecycleConfig } from './config.js';
import { LifecycleService } from './service.js';

/** The lifecycle daemon: `node packages/lifecycle/dist/main.js` (NUBO_ETCD_ENDPOINTS etc.; see docs/lifecycle.md). */
const config = loadConfig(LifecycleConfig, {
  ...(process.env.NUBO_CONFIG ? { file: process.env.NUBO_CONFIG } : {}),
});
const logger = createLogger('lifecycle');
const store = new Store({ endpoints: config.etcdEndpoints });
const transport = config.smtpHost
  ? createTransport({
      host: config.smtpHost,
      port: config.smtpPort,
      secure: config.smtpSecure,
      ...(config.smtpUser ? { auth: { user: config.smtpUser, pass: config.smtpPassword } } : {}),
    })
  : undefined;
const service = new LifecycleService({
  store,
  keys: keyLayout(config.etcdPrefix),
  logger,
  config,
  ...(transport ? { transport } : {}),
});
service.start();
logger.info({ region: config.region, smtp: Boolean(transport) }, 'lifecycle started');

const stop = async () => {
  await service.stop();
  transport?.close();
  await store.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
