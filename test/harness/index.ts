export { ETCD_BIN, EtcdCluster, type EtcdClusterOptions } from './etcd.js';
export { freePort } from './ports.js';
export { uniquePrefix } from './prefix.js';
export { ed25519KeyPair } from './ssh-keys.js';
export { INSTALL_HINT, requireRoot, requireTool } from './tools.js';
export { waitUntil } from './wait.js';
