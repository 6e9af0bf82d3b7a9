/** @nubo/metadata: who-am-I answers for guests, known by their EUI-64 source address. */
export { type Asker, buildMetadataApp, type MetadataDeps } from './app.js';
export { DEFAULT_METADATA_PORT, MetadataConfig } from './config.js';
export { contextFor, type InterfaceContext, type VmContext } from './context.js';
export { Ec2Tokens, MAX_TOKEN_TTL_SECONDS, TOKEN_HEADER, TOKEN_TTL_HEADER } from './ec2-token.js';
export { IndexFeed } from './index-feed.js';
export { METADATA_NODE_FLAGS } from './node-flags.js';
export {
  FORWARDED_HEADER,
  identify,
  PROJECT_HEADER,
  type Requester,
  requesterAddress,
  TrustedProxies,
} from './requester.js';
export { OPENSTACK_VERSIONS } from './routes/openstack.js';
export { type Kind, type NicEntry, UNSERVED_STATES, VmIndex } from './vm-index.js';
