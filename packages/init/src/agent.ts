import { installKeys } from './authorized-keys.js';
import { candidates, fetchInstance, waitForAddress } from './discover.js';
import { setHostname } from './hostname.js';
import { describe } from './http.js';
import { checkInstance } from './instance.js';
import type { InitOptions } from './options.js';
import { lookupUser } from './passwd.js';
import { runUserDataOnce, type UserDataResult } from './user-data.js';

export interface AgentReport {
  instanceId: string;
  endpoint: string;
  keysPath: string;
  keysChanged: boolean;
  hostnameChanged: boolean;
  userData: UserDataResult;
}

/**
 * One boot's work: find the service, read this VM's context, then install the
 * keys, set the host name and run user-data once. The context is checked
 * before anything is written, so a bad answer leaves the guest as it was.
 */
export async function runAgent(options: InitOptions, log: (msg: string) => void): Promise<AgentReport> {
  const user = lookupUser(options.root, options.user);
  if (options.waitAddressMs > 0 && !(await waitForAddress(Math.min(options.waitAddressMs, options.budgetMs))))
    log(`no global address after ${options.waitAddressMs} ms; trying anyway`);
  const found = await fetchInstance(candidates(options.url, options.root), options.budgetMs, log);
  const instance = checkInstance(found.instance);
  log(`instance ${instance.instanceId} from ${describe(found.endpoint)} after ${found.attempts} attempt(s)`);
  const keys = await installKeys(
    options.root,
    user,
    instance.sshKeys.map((k) => k.publicKey),
  );
  const hostnameChanged = await setHostname(options.root, instance.hostname);
  const userData = await runUserDataOnce(
    options.root,
    instance.instanceId,
    instance.userData,
    options.userDataTimeoutMs,
  );
  return {
    instanceId: instance.instanceId,
    endpoint: describe(found.endpoint),
    keysPath: keys.path,
    keysChanged: keys.changed,
    hostnameChanged,
    userData,
  };
}
