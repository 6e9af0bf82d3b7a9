import { randomUUID } from 'node:crypto';
import { type Allocation, HostRequest, keyLayout, type Network, type SshKey, Store, Vm } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrubOnce } from '../src/scrub.js';
import { at, dump, H, newVm, seedProject } from './fixtures.js';
import { hostStubScrub } from './host-stub.js';

let etcd: EtcdCluster;
let store: Store;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
});
afterAll(async () => {
  await store.close();
  await etcd.dispose();
});

const DAY = 24 * H;
const queued = (seconds: number) => ({
  state: 'scrub_queue' as const,
  deletedAt: at(seconds - 7 * DAY),
  scrubAfter: at(seconds),
});
let macCounter = 0;
const mac = () => `52:54:00:00:00:${(++macCounter).toString(16).padStart(2, '0')}`;

describe('the scrub loop', () => {
  const keys = keyLayout(uniquePrefix('scrub'));
  const now = new Date(at(10 * DAY));
  let projectId: string;
  const net = (over: Partial<Network>): Network => ({
    id: randomUUID(),
    projectId,
    name: `net-${randomUUID().slice(0, 6)}`,
    ipv6Prefix: `fd00:${(++macCounter).toString(16)}::/64`,
    segment: 100 + macCounter,
    state: 'active',
    createdAt: at(0),
    ...over,
  });

  /** A VM as the API would have created it: record, name index, MACs. */
  async function createVm(over: Partial<Vm>, networkId: string): Promise<Vm> {
    const m = mac();
    const vm = newVm(projectId, { nics: [{ networkId, mac: m, ipv6: 'fd00::1' }], ...over });
    await store
      .txn()
      .put(keys.vms.one(vm.id), vm)
      .put(keys.vmNames.one(projectId, vm.name), vm.id)
      .put(keys.macs.one(m), { vmId: vm.id, networkId })
      .commit();
    return vm;
  }

  it('removes everything of a scrubbed VM and nothing else', async () => {
    projectId = (await seedProject(store, keys)).project.id;
    const used = net({});
    const gone = net(queued(9 * DAY));
    const busy = net(queued(9 * DAY));
    for (const n of [used, gone, busy]) {
      await store.put(keys.networks.one(n.id), n);
      await store.put(keys.networkPrefixes.one(n.ipv6Prefix), n.id);
      await store.put(keys.segments.one(n.segment), n.id);
    }
    const noHost = await createVm(queued(9 * DAY), used.id);
    const onHost = await createVm({ ...queued(9 * DAY), host: 'h1' }, used.id);
    const notYet = await createVm(queued(11 * DAY), used.id);
    const running = await createVm({ state: 'running', host: 'h1' }, busy.id);
    // An old closed VM whose name a new VM took: the name index is the new VM's.
    const renamed = await createVm({ state: 'running', host: 'h1' }, used.id);
    const old = newVm(projectId, { name: renamed.name, state: 'closed' });
    await store.put(keys.vms.one(old.id), old);
    const alloc: Allocation = {
      host: 'h1',
      used: { cpus: 6, ramMiB: 6144, diskGiB: 60 },
      vms: Object.fromEntries(
        [onHost, running, renamed].map((v) => [v.id, { cpus: v.cpus, ramMiB: v.ramMiB, diskGiB: v.diskGiB }]),
      ),
    };
    await store.put(keys.allocations.one('h1'), alloc);
    const sshKey = (over: Partial<SshKey>): SshKey => ({
      id: randomUUID(),
      projectId,
      name: `key-${randomUUID().slice(0, 6)}`,
      type: 'ssh-ed25519',
      publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
      fingerprint: `SHA256:${'a'.repeat(43)}`,
      createdAt: at(0),
      ...over,
    });
    const keyGone = sshKey(queued(9 * DAY));
    const keyKept = sshKey({});
    for (const k of [keyGone, keyKept]) await store.put(keys.sshKeys.one(projectId, k.id), k);

    const before = await dump(store, keys.prefix);
    const report = await scrubOnce(store, keys, now);
    expect(report).toMatchObject({ closed: [noHost.id], scrubbing: [onHost.id], networks: [gone.id] });
    expect(report.sshKeys).toEqual([keyGone.id]);
    const after = await dump(store, keys.prefix);

    // Removed: the host-less VM's MAC and name; the network with its /64 and segment; the SSH key.
    const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
    expect(removed).toEqual(
      [
        keys.macs.one(noHost.nics[0]!.mac),
        keys.vmNames.one(projectId, noHost.name),
        keys.networks.one(gone.id),
        keys.networkPrefixes.one(gone.ipv6Prefix),
        keys.segments.one(gone.segment),
        keys.sshKeys.one(projectId, keyGone.id),
      ].sort(),
    );
    // Changed: only the two due VMs. Added: only the scrub request for the one on a host.
    const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
    expect(changed.sort()).toEqual([keys.vms.one(noHost.id), keys.vms.one(onHost.id)].sort());
    const added = [...after.keys()].filter((k) => !before.has(k));
    expect(added).toHaveLength(1);
    const request = await store.require(added[0]!, HostRequest);
    expect(request.key.startsWith(keys.requests.host.ofHost('h1'))).toBe(true);
    expect(request.value).toMatchObject({ kind: 'scrub', vmId: onHost.id });
    expect((await store.require(keys.vms.one(noHost.id), Vm)).value).toMatchObject({ state: 'closed' });
    expect((await store.require(keys.vms.one(onHost.id), Vm)).value).toMatchObject({ state: 'scrubbing' });
    expect((await store.require(keys.vms.one(notYet.id), Vm)).value.state).toBe('scrub_queue');

    // The host carries the request out; the next pass releases what the closed VM still held.
    const beforeHost = await dump(store, keys.prefix);
    expect(await hostStubScrub(store, keys, 'h1', now.toISOString())).toEqual([onHost.id]);
    const second = await scrubOnce(store, keys, now);
    expect(second.closed).toEqual([onHost.id]);
    const final = await dump(store, keys.prefix);
    const removed2 = [...beforeHost.keys()].filter((k) => !final.has(k)).sort();
    expect(removed2).toEqual(
      [request.key, keys.macs.one(onHost.nics[0]!.mac), keys.vmNames.one(projectId, onHost.name)].sort(),
    );
    const changed2 = [...final.keys()].filter((k) => beforeHost.get(k) !== final.get(k));
    expect(changed2.sort()).toEqual([keys.allocations.one('h1'), keys.vms.one(onHost.id)].sort());
    expect(final.get(keys.vmNames.one(projectId, renamed.name))).toBe(JSON.stringify(renamed.id));
    expect(JSON.parse(final.get(keys.allocations.one('h1'))!).vms[onHost.id]).toBeUndefined();

    // A third pass finds nothing to do.
    expect(await scrubOnce(store, keys, now)).toEqual({
      scrubbing: [],
      closed: [],
      networks: [],
      sshKeys: [],
      skipped: [],
      failed: [],
    });
    expect(await dump(store, keys.prefix)).toEqual(final);
    await store.deletePrefix(keys.prefix);
  });
});
