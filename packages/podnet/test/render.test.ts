import { randomUUID } from 'node:crypto';
import { loadConfig, type VpnTunnel } from '@nubo/shared';
import { describe, expect, it } from 'vitest';
import {
  desiredRouter,
  hostBridgeName,
  namespaceName,
  PodnetConfig,
  renderRadvd,
  renderSwanctl,
  uplinkPeerName,
} from '../src/index.js';
import { transportArgs } from '../src/router/transport.js';
import { network, project, router, vm } from './region-fixture.js';

const config = loadConfig(PodnetConfig, { env: {} });

describe('desired state and generated files', () => {
  it('keeps every interface name within 15 characters', () => {
    const ns = namespaceName(config.namespacePrefix, randomUUID());
    expect(uplinkPeerName(ns).length).toBeLessThanOrEqual(15);
    expect(hostBridgeName(16_777_215).length).toBeLessThanOrEqual(15);
    expect(uplinkPeerName(ns)).toBe(uplinkPeerName(ns));
  });

  it('builds one plain object per project, deterministic in its inputs', () => {
    const p = project();
    const net = network(p.id, 7, 'fd00:7::/64', '10.7.0.0/24');
    const snapshot = {
      project: p,
      router: router(p.id, 1),
      networks: [net],
      vms: [vm(p.id, net.id, '52:54:00:00:00:07', net.ipv6Prefix)],
      firewallRules: [],
      floatingIps: [],
      vpnTunnels: [],
    };
    const d = desiredRouter(snapshot, config);
    expect(d).toEqual(desiredRouter(structuredClone(snapshot), config));
    expect(d.networks[0]?.addresses).toEqual(['fd00:7::1/64', '10.7.0.1/24']);
    expect(d.networks[0]?.guests[0]?.ipv6).toEqual(['fe80::5054:ff:fe00:7', 'fd00:7::5054:ff:fe00:7']);
    expect(d.nftRuleset).toContain('52:54:00:00:00:07 . fd00:7::5054:ff:fe00:7');
    expect(d.nftRuleset).toContain('snat ip to 203.0.113.11');
  });

  it('skips a firewall rule whose remote and local are of different families', () => {
    const p = project();
    const rule = (remote: string, local: string) => ({
      id: randomUUID(),
      projectId: p.id,
      direction: 'inbound' as const,
      protocol: 'tcp' as const,
      port: '22',
      remote,
      local,
      createdAt: new Date().toISOString(),
    });
    const d = desiredRouter(
      {
        project: p,
        router: router(p.id, 1),
        networks: [],
        vms: [],
        firewallRules: [rule('198.51.100.0/24', 'fd00::1'), rule('2001:db8::/32', 'fd00::1')],
        floatingIps: [],
        vpnTunnels: [],
      },
      config,
    );
    expect(d.nftRuleset).not.toContain('198.51.100.0/24');
    expect(d.nftRuleset).toContain('ip6 saddr 2001:db8::/32 ip6 daddr fd00::1 tcp dport 22 accept');
  });

  it('announces the /64 and DNS with RA intervals of at least 3 s', () => {
    const conf = renderRadvd({ bridge: 'br7', prefix: 'fd00:7::/64', dns: ['2001:db8::53'] });
    expect(conf).toContain('MinRtrAdvInterval 3;');
    expect(conf).toContain('prefix fd00:7::/64');
    expect(conf).toContain('RDNSS 2001:db8::53');
  });

  it('writes the PSK into swanctl.conf in hex only', () => {
    const t: VpnTunnel = {
      id: randomUUID(),
      projectId: randomUUID(),
      name: 'office',
      remoteAddress: '198.51.100.7',
      localCidrs: ['10.0.0.0/24'],
      remoteCidrs: ['192.168.0.0/16'],
      psk: 'a"b}c{d=e#f\\g-secret',
      createdAt: new Date().toISOString(),
    };
    const conf = renderSwanctl({ tunnels: [t], localIpv6: '2001:db8::1', localIpv4: '203.0.113.5' });
    expect(conf).not.toContain(t.psk);
    expect(conf).toContain(`secret = 0x${Buffer.from(t.psk).toString('hex')}`);
    expect(conf).toContain('local_addrs = 203.0.113.5');
    // Without an IPv4 address on the router, an IPv4 peer cannot be reached: no connection for it.
    expect(renderSwanctl({ tunnels: [t], localIpv6: '2001:db8::1', localIpv4: undefined })).not.toContain(
      t.id,
    );
  });

  it('builds VLAN and VXLAN transport commands', () => {
    expect(transportArgs('tr5', { kind: 'vlan', id: 5, device: 'eth1', netns: '' }, 'ns1')).toEqual([
      'link',
      'add',
      'link',
      'eth1',
      'name',
      'tr5',
      'netns',
      'ns1',
      'type',
      'vlan',
      'id',
      '5',
    ]);
    expect(
      transportArgs('tr5', {
        kind: 'vxlan',
        vni: 5,
        local: 'fd00::1',
        group: 'ff05::1',
        device: 'u0',
        port: 4789,
        netns: '',
      }),
    ).toEqual([
      'link',
      'add',
      'tr5',
      'type',
      'vxlan',
      'id',
      '5',
      'local',
      'fd00::1',
      'group',
      'ff05::1',
      'dev',
      'u0',
      'dstport',
      '4789',
    ]);
  });

  it('refuses a bad configuration with NUBO_CONFIG naming the field', () => {
    expect(() => loadConfig(PodnetConfig, { env: { NUBO_PUBLIC_BRIDGE: 'a-name-far-too-long' } })).toThrow(
      /publicBridge/,
    );
    expect(() => loadConfig(PodnetConfig, { env: { NUBO_TRANSPORT: 'gre' } })).toThrow(
      expect.objectContaining({ code: 'NUBO_CONFIG' }),
    );
  });
});

describe('the region view', () => {
  it('ignores a corrupted record and keeps its last good value', async () => {
    const { RegionView, watchedKinds } = await import('../src/daemon/region-view.js');
    const { keyLayout } = await import('@nubo/shared');
    const invalid: string[] = [];
    const view = new RegionView(watchedKinds(keyLayout('/t/')), (key) => invalid.push(key));
    const p = project();
    view.put('projects', '/t/projects/x', p);
    view.put('routers', '/t/routers/x', router(p.id, 1));
    expect(view.routedProjects()).toEqual([p.id]);
    expect(view.put('projects', '/t/projects/x', { ...p, quota: 'lots' })).toEqual([]);
    expect(invalid).toEqual(['/t/projects/x']);
    expect(view.routedProjects()).toEqual([p.id]);
    view.delete('projects', '/t/projects/x');
    expect(view.routedProjects()).toEqual([]);
  });
});
