import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chooseDomainType,
  type DomainSpec,
  domainXml,
  parseVirshList,
  runCommand,
  tapName,
} from '@nubo/host';
import { requireTool } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const VALIDATE = '/usr/bin/virt-xml-validate';
let dir: string;

beforeAll(async () => {
  requireTool(VALIDATE);
  dir = await mkdtemp(join(tmpdir(), 'nubo-xml-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const spec = (overrides: Partial<DomainSpec> = {}): DomainSpec => ({
  vmId: randomUUID(),
  hostname: 'web-1',
  cpus: 2,
  ramMiB: 512,
  diskGiB: 10,
  image: { id: randomUUID(), path: '/var/lib/nubo/images/base.qcow2', format: 'qcow2' },
  nics: [
    { mac: '52:54:00:12:34:56', networkId: randomUUID(), bridge: 'br-net1' },
    { mac: '52:54:00:ab:cd:ef', networkId: randomUUID() },
  ],
  ...overrides,
});

async function validates(xml: string): Promise<string> {
  const file = join(dir, `${randomUUID()}.xml`);
  await writeFile(file, xml);
  const { stdout, stderr } = await runCommand(VALIDATE, [file, 'domain']);
  return stdout + stderr;
}

describe('domain XML', () => {
  it('passes virt-xml-validate for KVM and TCG, with bridge, tap and no NICs', async () => {
    for (const type of ['kvm', 'qemu'] as const)
      for (const nics of [spec().nics, []]) {
        const xml = domainXml(spec({ nics }), {
          type,
          diskPath: '/d/nubo-x.qcow2',
          serialLog: '/l/x.serial',
        });
        expect(await validates(xml)).toContain('validates');
      }
  });

  it('boots the image kernel directly when it has one, and still validates', async () => {
    const boot = { kernel: '/i/x.kernel', initrd: '/i/x.initrd', cmdline: "root=/dev/vda2 quiet a='b'&c" };
    for (const withInitrd of [true, false]) {
      const { initrd: _i, ...noInitrd } = boot;
      const xml = domainXml(spec(), {
        type: 'qemu',
        diskPath: '/d/nubo-x.qcow2',
        serialLog: '/l/x.serial',
        boot: withInitrd ? boot : noInitrd,
      });
      expect(xml).toContain('<kernel>/i/x.kernel</kernel>');
      expect(xml).toContain('<cmdline>root=/dev/vda2 quiet a=&apos;b&apos;&amp;c</cmdline>');
      expect(xml.includes('<initrd>/i/x.initrd</initrd>')).toBe(withInitrd);
      expect(xml).not.toContain('<boot dev=');
      expect(await validates(xml)).toContain('validates');
    }
    expect(domainXml(spec(), { type: 'qemu', diskPath: '/d', serialLog: '/l' })).toContain(
      "<boot dev='hd'/>",
    );
  });

  it('says what the VM is: type, ACPI, virtio disk on the overlay, NICs with their MACs, serial log, RNG', () => {
    const s = spec();
    const xml = domainXml(s, { type: 'qemu', diskPath: '/d/disk.qcow2', serialLog: '/l/vm.serial' });
    expect(xml).toMatch(/^<domain type='qemu'>/);
    expect(xml).toContain(`<name>nubo-${s.vmId}</name>`);
    expect(xml).toContain(`<uuid>${s.vmId}</uuid>`);
    expect(xml).toContain('<features><acpi/><apic/></features>');
    expect(xml).toContain("<memory unit='MiB'>512</memory>");
    expect(xml).toContain("<vcpu placement='static'>2</vcpu>");
    expect(xml).toContain(
      "<driver name='qemu' type='qcow2' discard='unmap'/>\n      <source file='/d/disk.qcow2'/>\n      <target dev='vda' bus='virtio'/>",
    );
    expect(xml).toContain(
      "<interface type='bridge'>\n      <source bridge='br-net1'/>\n      <target dev='nt525400123456'/>\n      <mac address='52:54:00:12:34:56'/>\n      <model type='virtio'/>",
    );
    expect(xml).toContain(
      "<interface type='ethernet'>\n      <target dev='nt525400abcdef'/>\n      <mac address='52:54:00:ab:cd:ef'/>",
    );
    expect(xml).toContain("<serial type='file'>\n      <source path='/l/vm.serial'/>");
    expect(xml).toContain("<rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>");
    expect(xml).not.toContain('host-passthrough');
    expect(domainXml(s, { type: 'kvm', diskPath: '/d', serialLog: '/l' })).toContain(
      "<cpu mode='host-passthrough'/>",
    );
    expect(tapName('52:54:00:ab:cd:ef')).toHaveLength(14);
  });

  it('escapes every value, so a hostile one cannot add elements', async () => {
    const xml = domainXml(spec({ hostname: `x'/><devices><disk type='file'>&` }), {
      type: 'qemu',
      diskPath: "/d/a'b&<c>.qcow2",
      serialLog: '/l/x.serial',
    });
    expect(xml).toContain(
      '<title>x&apos;/&gt;&lt;devices&gt;&lt;disk type=&apos;file&apos;&gt;&amp;</title>',
    );
    expect(xml).toContain("<source file='/d/a&apos;b&amp;&lt;c&gt;.qcow2'/>");
    expect(xml.match(/<disk /g)).toHaveLength(1);
    expect(await validates(xml)).toContain('validates');
  });
});

describe('KVM detection', () => {
  it('chooses kvm only when the device, the CPU flags and libvirt all agree', () => {
    expect(chooseDomainType({ kvmDevice: true, cpuVirtFlags: true, libvirtKvm: true })).toBe('kvm');
    expect(chooseDomainType({ kvmDevice: true, cpuVirtFlags: false, libvirtKvm: true })).toBe('qemu');
    expect(chooseDomainType({ kvmDevice: false, cpuVirtFlags: true, libvirtKvm: true })).toBe('qemu');
    expect(chooseDomainType({ kvmDevice: true, cpuVirtFlags: true, libvirtKvm: false })).toBe('qemu');
  });
});

describe('virsh list --all', () => {
  it('parses running, stopped and multi-word states', () => {
    const out = [
      ' Id   Name                                        State',
      '-------------------------------------------------------------',
      ' 1    test                                        running',
      ' 7    nubo-8f0e3a2c-1111-4222-8333-944445555666   in shutdown',
      ' -    other                                       shut off',
      '',
    ].join('\n');
    expect(parseVirshList(out)).toEqual([
      { name: 'test', state: 'running' },
      { name: 'nubo-8f0e3a2c-1111-4222-8333-944445555666', state: 'in shutdown' },
      { name: 'other', state: 'shut off' },
    ]);
  });
});
