import { randomBytes } from 'node:crypto';
import { requireRoot } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../src/images/command.js';
import {
  hostNetworkNames,
  NetworkAttach,
  networkAttachFromConfig,
  networkTag,
} from '../src/network-attach.js';

requireRoot('host network-attach tests (network namespaces)');

const IP = '/usr/sbin/ip';
const ns = `nubo-nat-${randomBytes(3).toString('hex')}`;
const ipn = async (args: string[]) => (await runCommand(IP, ['-n', ns, ...args])).stdout;

interface Link {
  ifname: string;
  master?: string;
  operstate: string;
  flags: string[];
  linkinfo?: { info_kind: string; info_data?: { id?: number; link?: string } };
}
const links = async () => JSON.parse(await ipn(['-d', '-j', 'link', 'show'])) as Link[];

// Everything happens in a namespace of the test's own: two underlay devices,
// as two local regions on one machine each have their own trunk.
beforeAll(async () => {
  await runCommand(IP, ['netns', 'add', ns]);
  for (const [dev, addr] of [
    ['ua', 'fd00:6e75:1::1/64'],
    ['ub', 'fd00:6e75:2::1/64'],
  ] as const) {
    // A veth pair (containers here have no dummy module); the peer only keeps the link up.
    await ipn(['link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
    await ipn(['link', 'set', `${dev}p`, 'up']);
    await ipn(['-6', 'addr', 'add', addr, 'dev', dev, 'nodad']);
    await ipn(['link', 'set', dev, 'up']);
  }
});

afterAll(async () => {
  await runCommand(IP, ['netns', 'del', ns]).catch(() => undefined);
});

const vxlan = (tag: string, dev: string, local: string, port = 4789) =>
  new NetworkAttach({
    tag,
    netns: ns,
    transport: 'vxlan',
    privateInterface: '',
    vxlanDevice: dev,
    vxlanLocal: local,
    vxlanGroup: 'ff05::4789',
    vxlanPort: port,
  });

describe('network-attach', () => {
  it('makes the bridge with its VXLAN in it, once for concurrent builds, again when deleted', async () => {
    const attach = vxlan('a1b2', 'ua', 'fd00:6e75:1::1');
    const bridges = await Promise.all([attach.ensure({ segment: 42 }), attach.ensure({ segment: 42 })]);
    expect(bridges).toEqual(['nba1b242', 'nba1b242']);
    const byName = new Map((await links()).map((l) => [l.ifname, l]));
    expect(byName.get('nba1b242')?.linkinfo?.info_kind).toBe('bridge');
    expect(byName.get('nba1b242')?.flags).toContain('UP');
    expect(byName.get('nxa1b242')).toMatchObject({
      master: 'nba1b242',
      linkinfo: { info_kind: 'vxlan', info_data: { id: 42 } },
    });

    await ipn(['link', 'del', 'nba1b242']);
    expect(await attach.ensure({ segment: 42 })).toBe('nba1b242');
    expect((await links()).find((l) => l.ifname === 'nxa1b242')?.master).toBe('nba1b242');
  });

  it('gives two regions on one machine different bridges for the same segment', async () => {
    // Each region has its own underlay and VXLAN port: the kernel allows one
    // VXLAN per VNI and port in a namespace, whatever the device or address.
    const a = await vxlan('c0de', 'ua', 'fd00:6e75:1::1', 4789).ensure({ segment: 7 });
    const b = await vxlan('f00d', 'ub', 'fd00:6e75:2::1', 4790).ensure({ segment: 7 });
    expect(a).toBe('nbc0de7');
    expect(b).toBe('nbf00d7');
    const names = (await links()).map((l) => l.ifname);
    expect(names).toEqual(expect.arrayContaining(['nbc0de7', 'nxc0de7', 'nbf00d7', 'nxf00d7']));
  });

  it('derives the tag from the prefix unless configured, and keeps names within 15 characters', () => {
    expect(networkTag('/nubo/')).toMatch(/^[0-9a-f]{4}$/);
    expect(networkTag('/nubo/')).toBe(networkTag('/nubo/'));
    expect(networkTag('/nubo/')).not.toBe(networkTag('/other/'));
    expect(networkTag('/nubo/', 'ab12')).toBe('ab12');
    expect(() => networkTag('/nubo/', 'AB-1')).toThrow(expect.objectContaining({ code: 'NUBO_CONFIG' }));
    const { bridge, transport } = hostNetworkNames('zzzz', 16_777_215);
    expect(bridge.length).toBeLessThanOrEqual(15);
    expect(transport.length).toBeLessThanOrEqual(15);
  });

  it('is off without a transport, and refuses a transport without its underlay', () => {
    const base = {
      prefix: '/nubo/',
      networkTag: '',
      privateInterface: '',
      vxlanDevice: '',
      vxlanLocal: '',
      vxlanGroup: 'ff05::4789',
      vxlanPort: 4789,
    };
    expect(networkAttachFromConfig({ ...base, transport: '' })).toBeUndefined();
    expect(() => networkAttachFromConfig({ ...base, transport: 'vxlan' })).toThrow(
      expect.objectContaining({
        code: 'NUBO_CONFIG',
        details: [{ field: '/vxlanDevice', message: expect.any(String) }],
      }),
    );
    expect(() => networkAttachFromConfig({ ...base, transport: 'vlan' })).toThrow(
      expect.objectContaining({ details: [expect.objectContaining({ field: '/privateInterface' })] }),
    );
    expect(networkAttachFromConfig({ ...base, transport: 'vxlan', vxlanDevice: 'eth1' })).toBeInstanceOf(
      NetworkAttach,
    );
  });
});
