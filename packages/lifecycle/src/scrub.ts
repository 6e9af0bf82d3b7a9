import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  type Entry,
  type HostRequest,
  isStoreFault,
  type Keys,
  type Logger,
  Network,
  SshKey,
  type Static,
  type Store,
  type TSchema,
  Vm,
} from '@nubo/shared';
import { releaseHolds } from './holds.js';

export interface ScrubReport {
  /** VMs handed to their host for scrubbing (host request `scrub` written). */
  scrubbing: string[];
  /** VMs closed here (they never had a host) or whose leftovers were released after the host closed them. */
  closed: string[];
  networks: string[];
  sshKeys: string[];
  /** Resources that lost a race and are left for the next pass. */
  skipped: string[];
  /** Resources whose scrub failed on what their records hold (logged); tried again next pass, the others go on. */
  failed: string[];
}

function due(r: { state?: string; scrubAfter?: string }, now: Date): boolean {
  return r.state === 'scrub_queue' && r.scrubAfter !== undefined && Date.parse(r.scrubAfter) <= now.getTime();
}

/** The records under `prefix` that fit `schema`; the others (not even JSON, some) are left out and logged. */
async function listValid<S extends TSchema>(
  store: Store,
  prefix: string,
  schema: S,
  logger: Logger | undefined,
): Promise<Entry<Static<S>>[]> {
  const onInvalid = (key: string, err: unknown) => logger?.warn({ key, err }, 'invalid record; not scrubbed');
  return (await store.list(prefix, schema, onInvalid)).entries;
}

/**
 * One pass of the scrub loop (docs/requests.md, "delete"): every resource in
 * the scrub queue whose grace period has ended is removed, each in its own
 * transaction that compares what it read, so a restore racing the pass wins
 * or loses cleanly.
 */
export async function scrubOnce(
  store: Store,
  keys: Keys,
  now = new Date(),
  logger?: Logger,
): Promise<ScrubReport> {
  const report: ScrubReport = {
    scrubbing: [],
    closed: [],
    networks: [],
    sshKeys: [],
    skipped: [],
    failed: [],
  };
  const vms = await listValid(store, keys.vms.prefix, Vm, logger);
  for (const entry of vms) {
    await attempt(report, entry.value.id, logger, () => scrubVm(store, keys, entry, now, report));
  }
  const live = vms.filter((e) => e.value.state !== 'closed').map((e) => e.value);
  for (const entry of await listValid(store, keys.networks.prefix, Network, logger)) {
    if (!due(entry.value, now)) continue;
    if (live.some((vm) => vm.nics.some((n) => n.networkId === entry.value.id))) {
      logger?.info({ network: entry.value.id }, 'network still has VMs; scrub later');
      continue;
    }
    await attempt(report, entry.value.id, logger, async () => {
      await scrubNetwork(store, keys, entry);
      report.networks.push(entry.value.id);
    });
  }
  for (const entry of await listValid(store, keys.sshKeys.prefix, SshKey, logger)) {
    if (!due(entry.value, now)) continue;
    await attempt(report, entry.value.id, logger, async () => {
      const txn = store.txn().compare(entry.key, entry.modRevision).delete(entry.key);
      const nameKey = keys.names.one('ssh-keys', entry.value.projectId, entry.value.name);
      const name = await store.get(nameKey);
      if (name?.value === entry.value.id) txn.compare(nameKey, name.modRevision).delete(nameKey);
      await txn.commit();
      report.sshKeys.push(entry.value.id);
    });
  }
  return report;
}

async function attempt(report: ScrubReport, id: string, logger: Logger | undefined, op: () => Promise<void>) {
  try {
    await op();
  } catch (err) {
    if (err instanceof ConflictError) {
      logger?.info({ id, keys: err.keys }, 'changed during the scrub pass; next pass');
      report.skipped.push(id);
      return;
    }
    // etcd away: the pass ends, the next one starts over. Anything else is this resource's own.
    if (isStoreFault(err)) throw err;
    logger?.error({ id, err }, 'scrub failed; next pass');
    report.failed.push(id);
  }
}

async function scrubVm(store: Store, keys: Keys, entry: Entry<Vm>, now: Date, report: ScrubReport) {
  const vm = entry.value;
  const at = now.toISOString();
  if (vm.state === 'closed') {
    // Closed by its host: release what the host's transaction left behind.
    const txn = store.txn();
    if ((await releaseHolds(store, keys, vm, txn)).length === 0) return;
    await txn.commit();
    report.closed.push(vm.id);
    return;
  }
  if (!due(vm, now)) return;
  const reason = 'grace period ended';
  const txn = store.txn().compare(entry.key, entry.modRevision);
  if (vm.host) {
    const request: HostRequest = { id: randomUUID(), kind: 'scrub', vmId: vm.id, createdAt: at };
    txn.put(entry.key, { ...vm, state: 'scrubbing', reason, updatedAt: at } satisfies Vm);
    txn.create(keys.requests.host.one(vm.host, request.id), request);
    await txn.commit();
    report.scrubbing.push(vm.id);
    return;
  }
  await releaseHolds(store, keys, vm, txn);
  txn.put(entry.key, {
    ...vm,
    state: 'closed',
    reason: `${reason}; never placed on a host`,
    updatedAt: at,
  } satisfies Vm);
  await txn.commit();
  report.closed.push(vm.id);
}

/** A network goes with the indexes that reserve its /64, its segment and its name (when they still name it). */
async function scrubNetwork(store: Store, keys: Keys, entry: Entry<Network>) {
  const net = entry.value;
  const txn = store.txn().compare(entry.key, entry.modRevision).delete(entry.key);
  const indexes = [
    keys.networkPrefixes.one(net.ipv6Prefix),
    keys.segments.one(net.segment),
    keys.names.one('networks', net.projectId, net.name),
  ];
  for (const key of indexes) {
    const index = await store.get(key);
    const v = index?.value as { id?: string; networkId?: string } | string | undefined;
    if (index && (v === net.id || (typeof v === 'object' && (v.id === net.id || v.networkId === net.id)))) {
      txn.compare(key, index.modRevision).delete(key);
    }
  }
  await txn.commit();
}
