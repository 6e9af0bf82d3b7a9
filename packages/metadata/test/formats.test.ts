// The layouts and EC2 tokens, on an index fed by hand (the etcd side is covered by app.test.ts).
import { type Entry, keyLayout } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetadataApp, Ec2Tokens, VmIndex } from '../src/index.js';
import { makeNetwork, makeSshKey, makeVm } from './fixtures.js';

const PROJECT = '66666666-6666-4666-8666-666666666666';
const keys = keyLayout('/nubo/');
const net = makeNetwork(PROJECT, 'fd00:7:7:7::/64');
const key = makeSshKey(PROJECT, 'ops');
const vmA = makeVm({ name: 'a', mac: '52:54:00:7a:00:01', network: net, sshKeys: [key] });
const vmB = makeVm({ name: 'b', mac: '52:54:00:7b:00:02', network: net });
const A = vmA.nics[0]!.ipv6;
const B = vmB.nics[0]!.ipv6;
let app: FastifyInstance;
let strict: FastifyInstance;

const entry = (k: string, value: unknown): Entry<unknown> => ({
  key: k,
  value,
  modRevision: 1,
  createRevision: 1,
  version: 1,
  lease: '0',
});

beforeAll(() => {
  const index = new VmIndex(keys);
  index.apply('networks', { type: 'reset', revision: 1, entries: [entry(keys.networks.one(net.id), net)] });
  index.apply('sshKeys', {
    type: 'reset',
    revision: 1,
    entries: [entry(keys.sshKeys.one(PROJECT, key.id), key)],
  });
  index.apply('vms', {
    type: 'reset',
    revision: 1,
    entries: [entry(keys.vms.one(vmA.id), vmA), entry(keys.vms.one(vmB.id), vmB)],
  });
  app = buildMetadataApp({ index, ec2TokenSecret: 'shared-secret' });
  strict = buildMetadataApp({ index, ec2TokenSecret: 'shared-secret', ec2RequireToken: true });
});

afterAll(async () => {
  await app?.close();
  await strict?.close();
});

const ask = (
  method: 'GET' | 'PUT',
  url: string,
  remoteAddress: string,
  headers: Record<string, string> = {},
  on = app,
) => on.inject({ method, url, remoteAddress, headers });

describe('EC2 session tokens', () => {
  it('issues a token that this VM may use, and no other VM', async () => {
    const put = await ask('PUT', '/latest/api/token', A, { 'x-aws-ec2-metadata-token-ttl-seconds': '60' });
    expect(put.statusCode).toBe(200);
    expect(put.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('60');
    const token = put.body;
    const own = await ask('GET', '/latest/meta-data/instance-id', A, { 'x-aws-ec2-metadata-token': token });
    expect(own.body).toBe(vmA.id);
    // Answers made once are still behind the token check: B's own answer is
    // made first, then A's token is refused for B, and a bad token for A.
    expect((await ask('GET', '/latest/meta-data/instance-id', B)).body).toBe(vmB.id);
    const forged = await ask('GET', '/latest/meta-data/instance-id', A, { 'x-aws-ec2-metadata-token': 'x' });
    expect(forged.statusCode).toBe(401);
    const other = await ask('GET', '/latest/meta-data/instance-id', B, { 'x-aws-ec2-metadata-token': token });
    expect(other.statusCode).toBe(401);
    expect(other.json().error.code).toBe('NUBO_UNAUTHENTICATED');
  });

  it('refuses a token request without a valid TTL, naming the header', async () => {
    for (const ttl of [undefined, '0', '21601', 'abc']) {
      const res = await ask(
        'PUT',
        '/latest/api/token',
        A,
        ttl ? { 'x-aws-ec2-metadata-token-ttl-seconds': ttl } : {},
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0].field).toBe('x-aws-ec2-metadata-token-ttl-seconds');
    }
  });

  it('rejects an expired token', () => {
    let now = 1_000_000;
    const tokens = new Ec2Tokens('s', () => now);
    const { token } = tokens.issue('52:54:00:7a:00:01', '1');
    expect(() => tokens.verify('52:54:00:7a:00:01', token)).not.toThrow();
    now += 1001;
    expect(() => tokens.verify('52:54:00:7a:00:01', token)).toThrow(/expired/);
  });

  it('requires a token when the region says so, also for an answer it made before', async () => {
    expect((await ask('GET', '/latest/meta-data/', A, {}, strict)).statusCode).toBe(401);
    const token = (
      await ask('PUT', '/latest/api/token', A, { 'x-aws-ec2-metadata-token-ttl-seconds': '60' }, strict)
    ).body;
    const own = await ask(
      'GET',
      '/latest/meta-data/instance-id',
      A,
      { 'x-aws-ec2-metadata-token': token },
      strict,
    );
    expect(own.body).toBe(vmA.id);
    expect((await ask('GET', '/latest/meta-data/instance-id', A, {}, strict)).statusCode).toBe(401);
  });
});

describe('layouts', () => {
  it('lists the EC2 tree and its public keys as cloud-init expects', async () => {
    expect((await ask('GET', '/latest/meta-data/', A)).body.split('\n')).toContain('public-keys/');
    expect((await ask('GET', '/latest/meta-data/public-keys/', A)).body).toBe('0=ops');
    expect((await ask('GET', '/2009-04-04/meta-data/public-keys/0/', A)).body).toBe('openssh-key');
    expect((await ask('GET', '/latest/meta-data/public-keys/0/openssh-key', A)).body).toBe(key.publicKey);
    expect((await ask('GET', '/latest/meta-data/nothing-here', A)).statusCode).toBe(404);
    expect((await ask('GET', '/latest/user-data', B)).statusCode).toBe(404);
  });

  it('serves OpenStack meta_data.json and network_data.json with ipv6_slaac', async () => {
    const md = (await ask('GET', '/openstack/latest/meta_data.json', A)).json();
    expect(md).toMatchObject({ uuid: vmA.id, hostname: 'a', public_keys: { ops: key.publicKey } });
    const nd = (await ask('GET', '/openstack/2018-08-27/network_data.json', A)).json();
    expect(nd.links[0]).toMatchObject({ type: 'phy', ethernet_mac_address: '52:54:00:7a:00:01' });
    expect(nd.networks[0]).toMatchObject({ type: 'ipv6_slaac', link: nd.links[0].id, network_id: net.id });
    expect((await ask('GET', '/openstack/1999-01-01/meta_data.json', A)).statusCode).toBe(404);
  });

  it('serves NoCloud meta-data as JSON (valid YAML) and an empty user-data when there is none', async () => {
    expect(JSON.parse((await ask('GET', '/nocloud/meta-data', B)).body)).toEqual({
      'instance-id': vmB.id,
      'local-hostname': 'b',
      'public-keys': [],
    });
    const ud = await ask('GET', '/nocloud/user-data', B);
    expect([ud.statusCode, ud.body]).toEqual([200, '']);
  });

  it('marks every answer no-store, also one made before', async () => {
    for (const url of [
      '/v1/instance',
      '/v1/instance',
      '/latest/meta-data/hostname',
      '/latest/meta-data/hostname',
    ]) {
      expect((await ask('GET', url, A)).headers['cache-control']).toBe('no-store');
    }
    expect((await ask('GET', '/v1/instance', '::1')).headers['cache-control']).toBe('no-store');
  });
});
