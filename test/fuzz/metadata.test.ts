// The metadata service under generated requests: any path, method, header and
// source address. Promise: never a 5xx (503 while loading aside), a refusal is
// a 4xx with a NUBO_ code, an answer is only ever about the VM that asks, and
// an address that is no VM's gets no answer at all. The store is never written.
import { randomUUID } from 'node:crypto';
import { buildMetadataApp, IndexFeed, VmIndex } from '@nubo/metadata';
import { ErrorCodes, keyLayout, macToEui64, type Network, Store, type Vm } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpRegion } from './region-dump.js';

const keys = keyLayout(uniquePrefix('mdfuzz'));
let etcd: EtcdCluster;
let store: Store;
let feed: IndexFeed;
let app: FastifyInstance;

function network(prefix: string, segment: number): Network {
  const id = randomUUID();
  const createdAt = new Date().toISOString();
  return {
    id,
    projectId: randomUUID(),
    name: 'net',
    ipv6Prefix: prefix,
    segment,
    state: 'active',
    createdAt,
  };
}
function vm(name: string, mac: string, net: Network): Vm {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    projectId: net.projectId,
    name,
    cpus: 1,
    ramMiB: 512,
    diskGiB: 10,
    imageId: randomUUID(),
    nics: [{ networkId: net.id, mac, ipv6: macToEui64(mac, net.ipv6Prefix) }],
    sshKeyIds: [],
    userData: `#!/bin/sh\necho secret-of-${name}\n`,
    state: 'running',
    host: 'hv1',
    createdAt: now,
    updatedAt: now,
  };
}

const netA = network('fd00:a:0:1::/64', 100);
const netB = network('fd00:b:0:1::/64', 101);
const vmA = vm('alpha', '52:54:00:aa:00:01', netA);
const vmB = vm('bravo', '52:54:00:bb:00:02', netB);
const TRUSTED_PROXY = 'fd00:99::2';

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
  const txn = store.txn();
  for (const n of [netA, netB]) txn.put(keys.networks.one(n.id), n);
  for (const v of [vmA, vmB]) txn.put(keys.vms.one(v.id), v);
  await txn.commit();
  const index = new VmIndex(keys);
  feed = new IndexFeed(store, keys, index);
  await feed.ready;
  app = buildMetadataApp({ index, trustedProxies: [TRUSTED_PROXY] });
});

afterAll(async () => {
  await app?.close();
  await feed?.stop();
  await store?.deletePrefix(keys.prefix);
  await store?.close();
  await etcd?.dispose();
});

const PATHS = [
  '/v1/instance',
  '/v1/instance/network',
  '/v1/instance/ssh-keys',
  '/v1/instance/user-data',
  '/openstack/latest/meta_data.json',
  '/openstack/2018-08-27/network_data.json',
  '/openstack/latest/user_data',
  '/latest/meta-data/',
  '/latest/meta-data/instance-id',
  '/latest/user-data',
  '/latest/dynamic/instance-identity/document',
  '/latest/api/token',
  '/nocloud/meta-data',
  '/nocloud/user-data',
];

const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PATHS) },
  fc
    .tuple(
      fc.constantFrom(...PATHS),
      fc.constantFrom('/..', '/../../', '%2f..', '?x=1', '//', '/%00', `/${vmB.id}`, '.json'),
    )
    .map(([p, s]) => p + s),
  fc.string({ maxLength: 60 }).map((s) => `/${encodeURIComponent(s)}`),
  fc.constant(`/v1/instance?id=${vmB.id}`),
);
const address = fc.oneof(
  fc.constantFrom(
    vmA.nics[0]!.ipv6,
    vmA.nics[0]!.ipv6,
    TRUSTED_PROXY,
    '::1',
    '127.0.0.1',
    'fd00:a:0:1::1',
    'fd00:a:0:1:5054:ff:fe00:1',
  ),
  fc.ipV6(),
  fc.ipV4(),
);
const headers = fc.record(
  {
    'x-forwarded-for': fc.oneof(fc.constant(vmB.nics[0]!.ipv6), fc.ipV6(), fc.string({ maxLength: 40 })),
    'x-aws-ec2-metadata-token': fc.string({ maxLength: 60 }),
    'x-aws-ec2-metadata-token-ttl-seconds': fc.oneof(
      fc.constantFrom('0', '-1', '21601', '1e9', 'x'),
      fc.nat().map(String),
    ),
    'content-type': fc.constantFrom('application/json', 'text/plain'),
  },
  { requiredKeys: [] },
);

describe('metadata under generated requests', () => {
  it('answers only the asking VM, and refuses everything else with a clear 4xx', async () => {
    const before = await dumpRegion(store, keys.prefix);
    const statusOf = ErrorCodes as Record<string, { status: number }>;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'GET', 'PUT', 'POST', 'DELETE'),
        path,
        address,
        headers,
        fc.option(fc.string({ maxLength: 200 })),
        async (method, url, remote, hdrs, body) => {
          const res = await app.inject({
            method: method as 'GET',
            url,
            remoteAddress: remote,
            headers: hdrs,
            ...(body !== null ? { payload: body } : {}),
          });
          const what = `${method} ${url} from ${remote} ${JSON.stringify(hdrs)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          expect(res.statusCode, what).toBeLessThan(500);
          // Who is asking: the peer, or, from the trusted proxy, the address it forwards.
          const forwarded = (hdrs['x-forwarded-for'] ?? '').split(',').map((x) => x.trim());
          const askers = remote === TRUSTED_PROXY ? forwarded : [remote];
          // A refusal may echo the request; only what the request did not carry counts as a leak.
          const asked = `${url} ${JSON.stringify(hdrs)} ${body ?? ''}`;
          for (const other of [vmA, vmB].filter((v) => !askers.includes(v.nics[0]!.ipv6))) {
            const secrets = [other.id, other.nics[0]!.mac, other.nics[0]!.ipv6, `secret-of-${other.name}`];
            for (const secret of secrets.filter((x) => !asked.includes(x)))
              expect(res.body.includes(secret), `${what}: mentions ${secret}`).toBe(false);
          }
          if (res.statusCode >= 400) {
            const code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code ?? '';
            expect(code, what).toMatch(/^NUBO_[A-Z0-9_]+$/);
            expect(statusOf[code]?.status, what).toBe(res.statusCode);
          }
        },
      ),
      { numRuns: Number(process.env.NUBO_FUZZ_RUNS ?? 25) * 40 },
    );
    expect(await dumpRegion(store, keys.prefix)).toBe(before);
  }, 120_000);
});
