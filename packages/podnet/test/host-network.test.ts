import { requireRoot } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachTap, ensureHostNetwork, type HostNetworkOptions, removeHostNetwork } from '../src/index.js';
import { ipn, Lab } from './lab.js';

requireRoot('PodNet host network tests');

interface Link {
  ifname: string;
  ifindex: number;
  master?: string;
  flags: string[];
  linkinfo?: {
    info_kind: string;
    info_data?: { id?: number; group6?: string; local6?: string; port?: number };
  };
}

describe('a hypervisor host joins a project network', () => {
  let lab: Lab;
  let hv: string;
  let options: HostNetworkOptions;
  const links = async () => JSON.parse(await ipn(hv, ['-d', '-j', 'link', 'show'])) as Link[];
  const link = async (name: string) => (await links()).find((l) => l.ifname === name);

  beforeAll(async () => {
    lab = await Lab.create();
    hv = await lab.netns('hv');
    const other = await lab.netns('other');
    await lab.veth(hv, 'u0', other, 'u0');
    await ipn(hv, ['addr', 'add', 'fd00:fab::2/64', 'dev', 'u0', 'nodad']);
    options = {
      transport: 'vxlan',
      netns: hv,
      vxlanDevice: 'u0',
      vxlanLocal: 'fd00:fab::2',
      vxlanGroup: 'ff05::4789',
      vxlanPort: 4789,
      privateInterface: 'u0',
    };
  });

  afterAll(async () => {
    await lab?.dispose();
  });

  it('makes the bridge and the VXLAN (VNI = segment) in it, both up', async () => {
    const { bridge } = await ensureHostNetwork(4242, options);
    expect(bridge).toBe('nb4242');
    const vx = await link('nx4242');
    expect(vx?.linkinfo?.info_kind).toBe('vxlan');
    expect(vx?.linkinfo?.info_data).toMatchObject({
      id: 4242,
      group6: 'ff05::4789',
      local6: 'fd00:fab::2',
      port: 4789,
    });
    expect(vx?.master).toBe('nb4242');
    expect((await link('nb4242'))?.flags).toContain('UP');
  });

  it('is idempotent: a second call changes nothing', async () => {
    // What a change would show: a new ifindex (re-created), another master, the UP flag, the VNI.
    const view = async () =>
      (await links()).map((l) => [
        l.ifname,
        l.ifindex,
        l.master,
        l.flags.includes('UP'),
        l.linkinfo?.info_data?.id,
      ]);
    const before = await view();
    await ensureHostNetwork(4242, options);
    expect(await view()).toEqual(before);
  });

  it('repairs a transport with the wrong VNI', async () => {
    await ipn(hv, ['link', 'del', 'nx4242']);
    await ipn(hv, ['link', 'add', 'nx4242', 'type', 'vxlan', 'id', '9', 'dev', 'u0', 'dstport', '4789']);
    await ensureHostNetwork(4242, options);
    expect((await link('nx4242'))?.linkinfo?.info_data?.id).toBe(4242);
    expect((await link('nx4242'))?.master).toBe('nb4242');
  });

  it('puts a tap on the bridge, and removes the network again', async () => {
    await ipn(hv, ['link', 'add', 'tap0', 'type', 'veth', 'peer', 'name', 'tap0p']);
    await attachTap('tap0', 4242, { netns: hv });
    expect((await link('tap0'))?.master).toBe('nb4242');
    await removeHostNetwork(4242, { netns: hv });
    const names = (await links()).map((l) => l.ifname);
    expect(names).not.toContain('nb4242');
    expect(names).not.toContain('nx4242');
    expect(names).toContain('tap0');
  });
});
