import { keyLayout, macToEui64, macToLinkLocal, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetadataApp, IndexFeed, VmIndex } from '../src/index.js';
import { eventually, makeNetwork, makeSshKey, makeVm, seed } from './fixtures.js';

const PROJECT = '11111111-1111-4111-8111-111111111111';
const OTHER_PROJECT = '22222222-2222-4222-8222-222222222222';
const PROXY = 'fd00:99::2';
const invalid: string[] = [];

let etcd: EtcdCluster;
let store: Store;
let feed: IndexFeed;
let app: FastifyInstance;
const keys = keyLayout(uniquePrefix('metadata'));
const net = makeNetwork(PROJECT, 'fd00:1:2:3::/64');
const otherNet = makeNetwork(OTHER_PROJECT, 'fd00:4:5:6::/64', 101);
const alice = makeSshKey(PROJECT, 'alice');
const bob = makeSshKey(PROJECT, 'bob');
const vmA = makeVm({
  name: 'web-1',
  mac: '52:54:00:aa:00:01',
  network: net,
  sshKeys: [alice],
  userData: '#!/bin/sh\necho hi\n',
});
const vmB = makeVm({ name: 'db-1', mac: '52:54:00:bb:00:02', network: otherNet, sshKeys: [] });
const addrA = vmA.nics[0]!.ipv6;
const addrB = vmB.nics[0]!.ipv6;

async function get(url: string, remoteAddress: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, remoteAddress, headers });
  return { status: res.statusCode, text: res.body, json: () => JSON.parse(res.body) };
}

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
  await seed(store, keys, { networks: [net, otherNet], sshKeys: [alice, bob], vms: [vmA, vmB] });
  const index = new VmIndex(keys, (key) => invalid.push(key));
  feed = new IndexFeed(store, keys, index);
  await feed.ready;
  app = buildMetadataApp({ index, trustedProxies: [PROXY, '10.9.0.0/16'] });
});

afterAll(async () => {
  await app?.close();
  await feed?.stop();
  await store?.deletePrefix(keys.prefix);
  await store?.close();
  await etcd?.dispose();
});

describe('who is asking', () => {
  it('answers a VM with its own context', async () => {
    const res = await get('/v1/instance', addrA);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      instanceId: vmA.id,
      hostname: 'web-1',
      userData: '#!/bin/sh\necho hi\n',
      sshKeys: [{ id: alice.id, publicKey: alice.publicKey }],
      network: { interfaces: [{ mac: '52:54:00:aa:00:01', ipv6: addrA, prefix: 'fd00:1:2:3::/64' }] },
    });
  });

  it('answers the link-local EUI-64 address of the same NIC', async () => {
    const res = await get('/v1/instance', macToLinkLocal('52:54:00:aa:00:01'));
    expect(res.json().instanceId).toBe(vmA.id);
  });

  it('gives an unknown MAC a 404 NUBO_NOT_FOUND', async () => {
    const res = await get('/v1/instance', macToEui64('52:54:00:cc:00:03', 'fd00:1:2:3::/64'));
    expect(res.status).toBe(404);
    expect(res.json().error.code).toBe('NUBO_NOT_FOUND');
  });

  it('gives a non-EUI-64 address a 404 NUBO_NOT_EUI64', async () => {
    for (const address of ['fd00:1:2:3::1234', '127.0.0.1', '::ffff:10.0.0.1']) {
      const res = await get('/v1/instance', address);
      expect(res.status).toBe(404);
      expect(res.json().error).toMatchObject({ code: 'NUBO_NOT_EUI64', details: [{ field: 'address' }] });
    }
  });

  it("refuses a VM's MAC asking from another network's /64", async () => {
    const res = await get('/v1/instance', macToEui64('52:54:00:aa:00:01', 'fd00:4:5:6::/64'));
    expect(res.status).toBe(404);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const res = await get('/v1/instance', addrB, { 'x-forwarded-for': addrA });
    expect(res.json().instanceId).toBe(vmB.id);
  });

  it("believes a trusted proxy's X-Forwarded-For, and only its last entry", async () => {
    expect((await get('/v1/instance', PROXY, { 'x-forwarded-for': addrA })).json().instanceId).toBe(vmA.id);
    expect((await get('/v1/instance', '10.9.3.4', { 'x-forwarded-for': addrB })).json().instanceId).toBe(
      vmB.id,
    );
    const spoofed = await get('/v1/instance', PROXY, { 'x-forwarded-for': `${addrA}, ${addrB}` });
    expect(spoofed.json().instanceId).toBe(vmB.id);
  });

  it("refuses a VM that is not in the trusted proxy's project, even over link-local", async () => {
    const linkLocalA = macToLinkLocal('52:54:00:aa:00:01');
    const headers = { 'x-forwarded-for': linkLocalA, 'x-nubo-project': OTHER_PROJECT };
    expect((await get('/v1/instance', PROXY, headers)).status).toBe(404);
    const own = await get('/v1/instance', PROXY, { ...headers, 'x-nubo-project': PROJECT });
    expect(own.json().instanceId).toBe(vmA.id);
    // The answer just made for the right project is not given to the wrong one.
    expect((await get('/v1/instance', PROXY, headers)).status).toBe(404);
    // From an untrusted peer the header means nothing, either way.
    expect((await get('/v1/instance', addrA, { 'x-nubo-project': OTHER_PROJECT })).status).toBe(200);
  });
});

describe('following etcd', () => {
  it('serves a newly added SSH key within a second, and drops a removed one', async () => {
    await seed(store, keys, { vms: [{ ...vmA, sshKeyIds: [alice.id, bob.id] }] });
    await eventually(async () => {
      const names = (await get('/v1/instance/ssh-keys', addrA))
        .json()
        .sshKeys.map((k: { name: string }) => k.name);
      expect(names).toEqual(['alice', 'bob']);
    }, 1000);
    await store.delete(keys.sshKeys.one(PROJECT, bob.id));
    await eventually(async () => {
      expect((await get('/v1/instance/ssh-keys', addrA)).json().sshKeys).toHaveLength(1);
    }, 1000);
  });

  it('stops serving a VM in the scrub queue', async () => {
    await seed(store, keys, { vms: [{ ...vmB, state: 'scrub_queue' }] });
    await eventually(async () => expect((await get('/v1/instance', addrB)).status).toBe(404), 1000);
    await seed(store, keys, { vms: [vmB] });
    await eventually(async () => expect((await get('/v1/instance', addrB)).status).toBe(200), 1000);
  });

  it('skips a record that does not match its schema and keeps serving the rest', async () => {
    await store.put(keys.vms.one('broken'), { id: 'broken', nics: 'nope' });
    await store.put(keys.vms.one('zz-after'), { ...vmA, id: 'not-a-uuid' });
    await eventually(() => expect(invalid).toEqual([keys.vms.one('broken'), keys.vms.one('zz-after')]), 1000);
    expect((await get('/v1/instance', addrA)).status).toBe(200);
    await store.delete(keys.vms.one('broken'));
    await store.delete(keys.vms.one('zz-after'));
  });
});
