import { createLogger, keyLayout, loadConfig, Store } from '@nubo/shared';
import { buildMetadataApp } from './app.js';
import { MetadataConfig } from './config.js';
import { IndexFeed } from './index-feed.js';
import { VmIndex } from './vm-index.js';

const LISTEN_BACKLOG = 4096;

/** The metadata service process: index etcd first, then listen. */
async function main(): Promise<void> {
  const config = loadConfig(
    MetadataConfig,
    process.env.NUBO_CONFIG_FILE ? { file: process.env.NUBO_CONFIG_FILE } : {},
  );
  const log = createLogger('metadata', { level: config.logLevel });
  const store = new Store({ endpoints: config.etcdEndpoints });
  const index = new VmIndex(keyLayout(config.prefix), (key) => log.warn({ key }, 'skipping invalid record'));
  const feed = new IndexFeed(store, keyLayout(config.prefix), index, log);
  await feed.ready;
  const app = buildMetadataApp({
    index,
    trustedProxies: config.trustedProxies,
    ec2TokenSecret: config.ec2TokenSecret,
    ec2RequireToken: config.ec2RequireToken,
    logger: log,
  });
  // A boot storm opens many connections at once; the default backlog (511) would drop SYNs.
  await app.listen({ host: config.host, port: config.port, backlog: LISTEN_BACKLOG });
  log.info({ vms: index.size, trustedProxies: config.trustedProxies }, 'metadata service ready');
  const stop = async () => {
    await app.close();
    await feed.stop();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
