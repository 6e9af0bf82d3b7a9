import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, keyLayout, type Network, Store } from '@nubo/shared';
import { EtcdCluster, requireRoot, requireTool, uniquePrefix } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespaceName, PodnetDaemon, uplinkPeerName } from '../src/index.js';
import { eventually, ipn, Lab, sh } from './lab.js';
import {
  addClient,
  buildRegion,
  network,
  project,
  type Region,
  router,
  SERVER4,
  SERVER6,
  vm,
} from './region-fixture.js';

requireRoot('PodNet router tests');
requireTool('/usr/sbin/radvd');
requireTool('/usr/sbin/nft');

const MAC_A = '52:54:00:a1:00:01';
const MAC_B = '52:54:00:b2:00:01';

describe('a project router in a namespace', () => {
  let etcd: EtcdCluster;
  let store: Store;
  let lab: Lab;
  let region: Region;
  let daemon: PodnetDaemon;
  const keys = keyLayout(uniquePrefix('podnet'));
  const a = project();
  const b = project();
  const netA = network(a.id, 101, 'fd00:a::/64', '10.0.0.0/24');
  const netB = network(b.id, 201, 'fd00:b::/64', '10.0.0.0/24');
  let clientA: { ns: string; address6: string };
  let clientB: { ns: string; address6: string };
  const nsA = () => namespaceName(region.config.namespacePrefix, a.id);
  const links = async (ns: string) =>
    JSON.parse(await ipn(ns, ['-j', 'addr', 'show'])) as {
      ifname: string;
      ifindex: number;
      addr_info: { local: string }[];
    }[];

  beforeAll(async () => {
    etcd = await EtcdCluster.start();
    store = new Store({ endpoints: etcd.endpoints });
    lab = await Lab.create();
    region = await buildRegion(lab, keys.prefix);
    await lab.echoServer(region.up, [8080, 8081]);
    for (const [p, n, net, i] of [[a, 'A', netA, 1] as const, [b, 'B', netB, 2] as const]) {
      await store.put(keys.projects.one(p.id), p);
      await store.put(keys.routers.one(p.id), router(p.id, i));
      await store.put(keys.networks.one(net.id), net);
      await store.put(
        keys.vms.prefix + `${n}-vm`,
        vm(p.id, net.id, n === 'A' ? MAC_A : MAC_B, net.ipv6Prefix),
      );
      // The region routes each project's /64 to its router (a static route here; BGP or the like in production).
      await ipn(region.up, ['-6', 'route', 'add', net.ipv6Prefix, 'via', `2001:db8:ff::${10 + i}`]);
    }
    // Inbound allow-list of A: port 8080 from the uplink server only.
    await store.put(keys.firewallRules.one(a.id, 'r1'), {
      id: '00000000-0000-4000-8000-000000000001',
      projectId: a.id,
      direction: 'inbound',
      protocol: 'tcp',
      port: '8080',
      remote: `${SERVER6}/128`,
      createdAt: new Date().toISOString(),
    });
    daemon = new PodnetDaemon(store, region.config, createLogger('podnet', { level: 'silent' }));
    await daemon.start();
    clientA = await addClient(lab, region, 'ca', netA, MAC_A);
    clientB = await addClient(lab, region, 'cb', netB, MAC_B);
    for (const c of [clientA, clientB]) await lab.echoServer(c.ns, [8080, 8090]);
  });

  afterAll(async () => {
    await daemon?.stop();
    // Whatever a failed test left: remove both routers the way the daemon does.
    for (const p of [a, b]) await store?.delete(keys.projects.one(p.id));
    if (daemon && region) {
      const cleaner = new PodnetDaemon(store, region.config, createLogger('podnet', { level: 'silent' }));
      await cleaner.start();
      await cleaner.stop();
    }
    await lab?.dispose();
    await store?.deletePrefix(keys.prefix);
    await store?.close();
    await etcd?.dispose();
  });

  it('comes up: namespace, uplink with its addresses, gateway on the network bridge, radvd, nftables', async () => {
    const addrs = await links(nsA());
    const local = (name: string) => addrs.find((l) => l.ifname === name)?.addr_info.map((x) => x.local) ?? [];
    expect(local('up0')).toEqual(expect.arrayContaining(['2001:db8:ff::11', '203.0.113.11']));
    expect(local('br101')).toEqual(expect.arrayContaining(['fd00:a::1', '10.0.0.1']));
    expect(await sh('ip', ['netns', 'exec', nsA(), 'nft', 'list', 'table', 'inet', 'nubo'])).toContain(
      'chain forward',
    );
    expect(existsSync(join(region.config.runDir, a.id, 'radvd-101.pid'))).toBe(true);
    const peer = JSON.parse(await ipn(region.up, ['-j', 'link', 'show', uplinkPeerName(nsA())]))[0];
    expect(peer.master).toBe('brpub');
  });

  it('gives a client its SLAAC address by RA and routes it to a server on the uplink', async () => {
    await eventually('SLAAC address', async () =>
      (await ipn(clientA.ns, ['-6', 'addr', 'show', 'dev', 'eth0'])).includes(clientA.address6),
    );
    const seen = await eventually('reply from the server', () =>
      lab.get(clientA.ns, `http://[${SERVER6}]:8080/`),
    );
    expect(seen.remote).toBe(clientA.address6);
  });

  it('SNATs IPv4 from the private range to the router address', async () => {
    await ipn(clientA.ns, ['addr', 'add', '10.0.0.5/24', 'dev', 'eth0']);
    await ipn(clientA.ns, ['route', 'add', 'default', 'via', '10.0.0.1']);
    const seen = await lab.get(clientA.ns, `http://${SERVER4}:8080/`);
    expect(seen?.remote).toBe('::ffff:203.0.113.11');
  });

  it('forwards metadata requests to the metadata service with the guest address', async () => {
    const seen = await lab.get(clientA.ns, 'http://[fd00:ec2::254]/latest/meta-data?x=1');
    expect(seen?.url).toBe('/base/latest/meta-data?x=1');
    expect((seen?.headers as Record<string, string> | undefined)?.['x-forwarded-for']).toBe(clientA.address6);
    const seen4 = await lab.get(clientA.ns, 'http://169.254.169.254/');
    expect((seen4?.headers as Record<string, string> | undefined)?.['x-forwarded-for']).toBe('10.0.0.5');
  });

  it('inbound allow-list admits the allowed port and drops another', async () => {
    expect((await lab.get(region.up, `http://[${clientA.address6}]:8080/`))?.remote).toBe(SERVER6);
    expect(await lab.get(region.up, `http://[${clientA.address6}]:8090/`)).toBeUndefined();
  });

  it('maps a floating IP 1:1 to a guest, both ways', async () => {
    await store.put(keys.floatingIps.one(a.id, 'f1'), {
      id: '00000000-0000-4000-8000-0000000000f1',
      projectId: a.id,
      publicIpv4: '203.0.113.50',
      privateIpv4: '10.0.0.5',
      createdAt: new Date().toISOString(),
    });
    await store.put(keys.firewallRules.one(a.id, 'r2'), {
      id: '00000000-0000-4000-8000-000000000002',
      projectId: a.id,
      direction: 'inbound',
      protocol: 'tcp',
      port: '8080',
      remote: `${SERVER4}/32`,
      createdAt: new Date().toISOString(),
    });
    const inbound = await eventually('inbound through the floating IP', () =>
      lab.get(region.up, 'http://203.0.113.50:8080/'),
    );
    expect(inbound.remote).toBe(`::ffff:${SERVER4}`);
    expect((await lab.get(clientA.ns, `http://${SERVER4}:8080/`))?.remote).toBe('::ffff:203.0.113.50');
    expect(await lab.get(region.up, 'http://203.0.113.50:8090/')).toBeUndefined();
  });

  it('drops a guest sending from an address that is not its own', async () => {
    await ipn(clientA.ns, ['addr', 'add', 'fd00:a::bad/64', 'dev', 'eth0', 'nodad']);
    expect(await lab.get(clientA.ns, `http://[${SERVER6}]:8080/`, 'fd00:a::bad')).toBeUndefined();
    expect(await lab.get(clientA.ns, `http://[${SERVER6}]:8080/`, clientA.address6)).toBeDefined();
  });

  it('keeps two projects apart', async () => {
    await eventually('SLAAC in B', async () =>
      (await ipn(clientB.ns, ['-6', 'addr', 'show', 'dev', 'eth0'])).includes(clientB.address6),
    );
    expect(
      await eventually('B reaches the server', () => lab.get(clientB.ns, `http://[${SERVER6}]:8080/`)),
    ).toBeDefined();
    // A's allow-list opens 8080 to the server only; B's has nothing open at all.
    expect(await lab.get(clientB.ns, `http://[${clientA.address6}]:8080/`)).toBeUndefined();
    expect(await lab.get(clientA.ns, `http://[${clientB.address6}]:8080/`, clientA.address6)).toBeUndefined();
  });

  it('adds a network without touching the existing ones', async () => {
    const before = await links(nsA());
    const carrier = await sh('ip', [
      'netns',
      'exec',
      nsA(),
      'cat',
      '/sys/class/net/br101/carrier_changes',
      '/sys/class/net/up0/carrier_changes',
    ]);
    const radvdPid = await sh('cat', [join(region.config.runDir, a.id, 'radvd-101.pid')]);
    const netA2: Network = network(a.id, 102, 'fd00:a2::/64');
    await store.put(keys.networks.one(netA2.id), netA2);
    await eventually('new bridge', async () => (await links(nsA())).some((l) => l.ifname === 'br102'));
    await daemon.idle();
    const after = await links(nsA());
    for (const l of before) expect(after.find((x) => x.ifname === l.ifname)).toEqual(l);
    expect(
      await sh('ip', [
        'netns',
        'exec',
        nsA(),
        'cat',
        '/sys/class/net/br101/carrier_changes',
        '/sys/class/net/up0/carrier_changes',
      ]),
    ).toBe(carrier);
    expect(await sh('cat', [join(region.config.runDir, a.id, 'radvd-101.pid')])).toBe(radvdPid);
    expect(daemon.lastChanges.get(a.id)?.every((c) => /102|ruleset/.test(c))).toBe(true);
  });

  it('repairs a namespace deleted by hand, with the same MACs (neighbours keep working)', async () => {
    const macs = async () =>
      JSON.stringify(
        (JSON.parse(await ipn(nsA(), ['-j', 'link', 'show'])) as { ifname: string; address: string }[])
          .filter((l) => /^(up0|br)/.test(l.ifname))
          .map((l) => [l.ifname, l.address]),
      );
    const before = await macs();
    await sh('ip', ['netns', 'del', nsA()]);
    await eventually('namespace back', async () => (await sh('ip', ['netns', 'list'])).includes(nsA()));
    await daemon.idle();
    const seen = await eventually('client reaches the server again', () =>
      lab.get(clientA.ns, `http://[${SERVER6}]:8080/`, clientA.address6),
    );
    expect(seen.remote).toBe(clientA.address6);
    expect(await macs()).toBe(before);
  });

  it('removes everything of a deleted project and nothing else', async () => {
    const nsB = namespaceName(region.config.namespacePrefix, b.id);
    await store.delete(keys.projects.one(b.id));
    await eventually('namespace gone', async () => !(await sh('ip', ['netns', 'list'])).includes(nsB));
    await daemon.idle();
    expect(existsSync(join(region.config.runDir, b.id))).toBe(false);
    expect(await sh('ip', ['-n', region.up, 'link', 'show'])).not.toContain(uplinkPeerName(nsB));
    const procs = await sh('ps', ['-eo', 'args']);
    expect(procs).not.toContain(b.id);
    // A is untouched.
    const seen = await lab.get(clientA.ns, `http://[${SERVER6}]:8080/`, clientA.address6);
    expect(seen?.remote).toBe(clientA.address6);
  });
});
