/** @nubo/init: the in-guest agent that installs the owner's SSH keys, sets the host name and runs user-data. */
export { type AgentReport, runAgent } from './agent.js';
export {
  BEGIN_MARKER,
  END_MARKER,
  installKeys,
  type KeysResult,
  mergeManagedBlock,
} from './authorized-keys.js';
export {
  candidates,
  eui64Address,
  fetchInstance,
  LINK_LOCAL_ADDRESS,
  WELL_KNOWN_ADDRESS,
} from './discover.js';
export { setHostname, withHostsEntry } from './hostname.js';
export { type Endpoint, endpointFromUrl, HttpError, httpGet } from './http.js';
export { checkInstance, type Instance } from './instance.js';
export { CONFIG_FILE, DEFAULTS, type InitOptions, parseOptions, UsageError } from './options.js';
export { lookupUser, type UserEntry } from './passwd.js';
export { isInside, realInside, UnsafePathError, writeAtomic } from './safe-fs.js';
export { runUserDataOnce, STATE_DIR, USER_DATA_LOG, type UserDataResult } from './user-data.js';
