/** @nubo/podnet: one virtual router per project in a network namespace (docs/podnet.md). */
export { PodnetConfig, Transport } from './config.js';
export { PodnetDaemon } from './daemon/daemon.js';
export {
  attachTap,
  ensureHostNetwork,
  type HostNetworkNames,
  type HostNetworkOptions,
  removeHostNetwork,
} from './host-network.js';
export {
  bridgeName,
  hostBridgeName,
  hostTransportName,
  namespaceName,
  shortHash,
  UPLINK_IF,
  uplinkPeerName,
} from './names.js';
export { createMetadataProxy, guestAddress } from './proxy/server.js';
export { applyRouter, removeRouter, routerDir } from './router/apply.js';
export { desiredRouter, type ProjectSnapshot, type RouterDesired } from './router/desired.js';
export { METADATA_IPV4, METADATA_IPV6, renderRuleset } from './router/nft.js';
export { renderRadvd } from './router/radvd-config.js';
export { renderSwanctl } from './vpn/swanctl.js';
