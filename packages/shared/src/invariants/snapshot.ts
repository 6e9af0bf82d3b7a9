import type { Keys } from '../keys.js';
import {
  Allocation,
  Event,
  Host,
  HostLiveness,
  HostRequest,
  Image,
  Network,
  Project,
  SchedulerRequest,
  SshKey,
  Token,
  User,
  Vm,
} from '../schemas/index.js';
import type { Entry } from '../store/entry.js';
import type { Store } from '../store/store.js';
import { isValid } from '../validate.js';
import type { Violation } from './types.js';

/** The records the checker reads, all at one etcd revision. */
export interface RegionSnapshot {
  revision: number;
  vms: Vm[];
  hosts: Map<string, Host>;
  alive: Set<string>;
  allocations: Map<string, Allocation>;
  projects: Set<string>;
  macs: Map<string, unknown>;
  requests: { key: string; createdAt: string; claimedAt?: string }[];
}

/** Reads the whole region in one range read (one revision), reporting records that fail their schema. */
export async function readSnapshot(
  store: Store,
  keys: Keys,
  violations: Violation[],
): Promise<RegionSnapshot> {
  const notJson = (key: string) =>
    violations.push({ rule: 'record.json', subject: key, message: `${key} does not hold JSON` });
  const { entries, revision } = await store.list(keys.prefix, undefined, notJson);
  const snap: RegionSnapshot = {
    revision,
    vms: [],
    hosts: new Map(),
    alive: new Set(),
    allocations: new Map(),
    projects: new Set(),
    macs: new Map(),
    requests: [],
  };
  const checked = checkedOnly(keys);
  for (const entry of entries) sortEntry(entry, keys, checked, snap, violations);
  return snap;
}

type CheckedOnly = [prefix: string, schema: Parameters<typeof isValid>[0], kind: string][];

function sortEntry(
  entry: Entry<unknown>,
  keys: Keys,
  checked: CheckedOnly,
  snap: RegionSnapshot,
  violations: Violation[],
): void {
  const { key, value } = entry;
  const rest = (prefix: string) => key.slice(prefix.length);
  const valid = <T>(schema: Parameters<typeof isValid>[0], what: string): T | undefined => {
    if (isValid(schema, value)) return value as T;
    violations.push({
      rule: `${what}.valid`,
      subject: key,
      message: `${key} does not match the ${what} schema`,
    });
    return undefined;
  };
  if (key.startsWith(keys.vms.prefix)) {
    const vm = valid<Vm>(Vm, 'vm');
    if (vm) snap.vms.push(vm);
  } else if (key.startsWith(keys.hosts.prefix)) {
    const host = valid<Host>(Host, 'host');
    if (host) snap.hosts.set(host.name, host);
  } else if (key.startsWith(keys.alive.prefix)) {
    // Alive is the key's presence (it is bound to the daemon's lease), whatever it holds.
    valid(HostLiveness, 'host-liveness');
    snap.alive.add(rest(keys.alive.prefix));
  } else if (key.startsWith(keys.allocations.prefix)) {
    const a = valid<Allocation>(Allocation, 'allocation');
    if (a) snap.allocations.set(a.host, a);
  } else if (key.startsWith(keys.projects.prefix)) {
    if (valid(Project, 'project')) snap.projects.add(rest(keys.projects.prefix));
  } else if (key.startsWith(keys.macs.prefix)) {
    snap.macs.set(rest(keys.macs.prefix), value);
  } else if (key.startsWith(keys.requests.scheduler.prefix)) {
    const r = valid<SchedulerRequest>(SchedulerRequest, 'request');
    if (r) snap.requests.push({ key, createdAt: r.createdAt });
  } else if (key.startsWith(keys.requests.host.prefix)) {
    const r = valid<HostRequest>(HostRequest, 'request');
    if (r)
      snap.requests.push({ key, createdAt: r.createdAt, ...(r.claimedAt ? { claimedAt: r.claimedAt } : {}) });
  } else {
    // Records no invariant reads, checked against their schemas only.
    const kind = checked.find(([prefix]) => key.startsWith(prefix));
    if (kind) valid(kind[1], kind[2]);
  }
}

function checkedOnly(keys: Keys): CheckedOnly {
  return [
    [keys.networks.prefix, Network, 'network'],
    [keys.images.prefix, Image, 'image'],
    [keys.sshKeys.prefix, SshKey, 'ssh-key'],
    [keys.users.prefix, User, 'user'],
    [keys.tokens.prefix, Token, 'token'],
    [keys.events.prefix, Event, 'event'],
  ];
}
