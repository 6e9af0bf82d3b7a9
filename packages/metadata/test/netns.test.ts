// Must show: a client in its own network namespace, with a MAC-derived EUI-64
// address, asks the real service over a real bridge.
import { keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetadataApp, IndexFeed, VmIndex } from '../src/index.js';
import { makeNetwork, makeSshKey, makeVm, seed } from './fixtures.js';
import { curl, type Guest, NetnsLab } from './netns-lab.js';

const PROJECT = '33333333-3333-4333-8333-333333333333';
const keys = keyLayout(uniquePrefix('metadata-netns'));
let etcd: EtcdCluster;
let store: Store;
let feed: IndexFeed;
let app: FastifyInstance;
let lab: NetnsLab;
let port: number;
let guestA: Guest;
let stranger: Guest;
let proxy: Guest;
const alice = makeSshKey(PROJECT, 'alice');

beforeAll(async () => {
  lab = await NetnsLab.create();
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
  const net = makeNetwork(PROJECT, lab.prefix);
  const vmA = makeVm({ name: 'guest-a', mac: '52:54:00:0a:0a:01', network: net, sshKeys: [alice] });
  await seed(store, keys, { networks: [net], sshKeys: [alice], vms: [vmA] });
  guestA = await lab.addGuest('52:54:00:0a:0a:01');
  stranger = await lab.addGuest('52:54:00:0b:0b:02');
  // The router's proxy: a plain (not EUI-64) address the service is told to trust.
  proxy = await lab.addGuest('52:54:00:0c:0c:03', lab.prefix.replace('::/64', '::2'));
  const index = new VmIndex(keys);
  feed = new IndexFeed(store, keys, index);
  await feed.ready;
  app = buildMetadataApp({ index, trustedProxies: [proxy.address] });
  await app.listen({ host: lab.serverAddress, port: 0 });
  port = (app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await app?.close();
  await feed?.stop();
  await store?.deletePrefix(keys.prefix);
  await store?.close();
  await etcd?.dispose();
  await lab?.dispose();
});

describe('metadata over real namespaces', () => {
  it("gives a guest its own VM's keys", async () => {
    const res = await curl(lab, guestA, lab.url(port, '/v1/instance'));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.hostname).toBe('guest-a');
    expect(body.sshKeys.map((k: { publicKey: string }) => k.publicKey)).toEqual([alice.publicKey]);
  });

  it('gives a guest with another MAC a 404', async () => {
    const res = await curl(lab, stranger, lab.url(port, '/openstack/latest/meta_data.json'));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('NUBO_NOT_FOUND');
  });

  it('ignores a forwarded header spoofed by a guest', async () => {
    const res = await curl(lab, stranger, lab.url(port, '/v1/instance'), [
      '-H',
      `X-Forwarded-For: ${guestA.address}`,
    ]);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain(alice.publicKey);
  });

  it("believes the trusted proxy's forwarded address", async () => {
    const res = await curl(lab, proxy, lab.url(port, '/latest/meta-data/public-keys/0/openssh-key'), [
      '-H',
      `X-Forwarded-For: ${guestA.address}`,
    ]);
    expect(res).toEqual({ status: 200, body: alice.publicKey });
  });

  it('tells the proxy itself, asking for its own sake, that it is not EUI-64', async () => {
    const res = await curl(lab, proxy, lab.url(port, '/v1/instance'));
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('NUBO_NOT_EUI64');
  });
});
