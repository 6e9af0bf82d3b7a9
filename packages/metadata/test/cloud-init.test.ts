// Must show: cloud-init's own datasource code (Debian's cloud-init package,
// Python) crawls the OpenStack, EC2 and NoCloud layouts of the real service
// from inside a guest namespace, without error, and reads the right keys.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, requireTool, uniquePrefix } from '@nubo/test';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetadataApp, IndexFeed, VmIndex } from '../src/index.js';
import { makeNetwork, makeSshKey, makeVm, seed } from './fixtures.js';
import { type Guest, NetnsLab } from './netns-lab.js';

const PROJECT = '55555555-5555-4555-8555-555555555555';
const MAC = '52:54:00:c1:0d:01';
const PYTHON = '/usr/bin/python3';
const keys = keyLayout(uniquePrefix('metadata-cloud-init'));
const alice = makeSshKey(PROJECT, 'alice');
const bob = makeSshKey(PROJECT, 'bob');
const USER_DATA = '#cloud-config\npackages: [htop]\n';
let etcd: EtcdCluster;
let store: Store;
let feed: IndexFeed;
let app: FastifyInstance;
let lab: NetnsLab;
let guest: Guest;
let vm: ReturnType<typeof makeVm>;
let crawled: Record<string, Record<string, unknown>> & { problems: string[] };

beforeAll(async () => {
  requireTool('/usr/bin/cloud-init');
  requireTool(PYTHON);
  lab = await NetnsLab.create();
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
  const net = makeNetwork(PROJECT, lab.prefix);
  vm = makeVm({ name: 'ci-1', mac: MAC, network: net, sshKeys: [alice, bob], userData: USER_DATA });
  await seed(store, keys, { networks: [net], sshKeys: [alice, bob], vms: [vm] });
  guest = await lab.addGuest(MAC);
  const index = new VmIndex(keys);
  feed = new IndexFeed(store, keys, index);
  await feed.ready;
  app = buildMetadataApp({ index });
  await app.listen({ host: lab.serverAddress, port: 0 });
  const base = `http://[${lab.serverAddress}]:${(app.server.address() as { port: number }).port}`;
  const script = join(import.meta.dirname, 'cloud-init-crawl.py');
  const { stdout } = await lab.exec(guest, PYTHON, [script, base, MAC]);
  crawled = JSON.parse(stdout);
});

afterAll(async () => {
  await app?.close();
  await feed?.stop();
  await store?.deletePrefix(keys.prefix);
  await store?.close();
  await etcd?.dispose();
  await lab?.dispose();
});

describe("cloud-init's datasource code against the service", () => {
  it('runs no cloud-init service on this machine (the package is only a library here)', async () => {
    const running = [];
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (/^[^\0]*cloud-init\0/.test(cmdline) || /\/usr\/bin\/cloud-init\0/.test(cmdline))
        running.push(cmdline);
    }
    expect(running).toEqual([]);
  });

  it('reads everything without a warning or an error', () => {
    expect(crawled.problems).toEqual([]);
  });

  it('reads the OpenStack layout: instance id, host name, keys, user-data, SLAAC network', () => {
    expect(crawled.openstack).toMatchObject({
      version: '2018-08-27',
      instance_id: vm.id,
      hostname: 'ci-1',
      userdata: USER_DATA,
      vendordata: {},
      ec2_instance_id: vm.id,
    });
    expect(new Set(crawled.openstack!.keys as string[])).toEqual(new Set([alice.publicKey, bob.publicKey]));
    expect(crawled.openstack!.network).toMatchObject({
      version: 1,
      config: [{ type: 'physical', mac_address: MAC, name: 'eth0', subnets: [{ type: 'ipv6_slaac' }] }],
    });
  });

  it('reads the EC2 layout with a session token, and a wrong token is refused', () => {
    expect(crawled.ec2).toMatchObject({
      instance_id: vm.id,
      hostname: 'ci-1',
      userdata: USER_DATA,
      mac_ipv6: guest.address,
      bad_token_status: 401,
    });
    expect(new Set(crawled.ec2!.keys as string[])).toEqual(new Set([alice.publicKey, bob.publicKey]));
  });

  it('reads the NoCloud-net layout', () => {
    expect(crawled.nocloud).toMatchObject({ instance_id: vm.id, hostname: 'ci-1', userdata: USER_DATA });
    expect(crawled.nocloud!.keys).toEqual([alice.publicKey, bob.publicKey]);
  });
});
