import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { type DomainSpec, HypervDriver, SshTransport } from '@nubo/host';
import { createLogger } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHypervServer } from './fake-hyperv-server.js';
import { assignments, skeleton } from './ps-parse.js';

// Hyper-V cannot run on this Linux machine: the driver talks real SSH (ssh2)
// to a server in this test that answers like a Windows host with Hyper-V.
let server: FakeHypervServer;
let transport: SshTransport;
let driver: HypervDriver;
const logged = new PassThrough();
let logText = '';

beforeAll(async () => {
  server = new FakeHypervServer();
  await server.listen();
  logged.on('data', (d: Buffer) => (logText += d.toString()));
  transport = new SshTransport({
    host: '127.0.0.1',
    port: server.port,
    username: 'nubo',
    privateKey: server.clientKey.private,
    hostKeySha256: server.hostFingerprint,
  });
  driver = new HypervDriver({
    transport,
    diskDir: 'D:\\Hyper-V\\Disks\\',
    logger: createLogger('hyperv-test', { level: 'debug', destination: logged }),
  });
});

afterAll(async () => {
  await transport?.close();
  await server?.close();
});

const spec = (overrides: Partial<DomainSpec> = {}): DomainSpec => ({
  vmId: randomUUID(),
  hostname: 'web-1',
  cpus: 2,
  ramMiB: 1024,
  diskGiB: 20,
  image: { id: randomUUID(), path: 'D:\\Images\\debian-12.vhdx', format: 'raw' },
  nics: [{ mac: '52:54:00:ab:cd:ef', networkId: randomUUID(), bridge: 'nubo-net1' }],
  ...overrides,
});

const lastScript = () => server.scripts.at(-1)!;

describe('HypervDriver over SSH', () => {
  it('defines, starts, lists, stops and destroys a VM with the exact scripts', async () => {
    const s = spec();
    await driver.define(s);
    expect(assignments(lastScript())).toEqual({
      name: `nubo-${s.vmId}`,
      disk: `D:\\Hyper-V\\Disks\\nubo-${s.vmId}.vhdx`,
      parent: 'D:\\Images\\debian-12.vhdx',
      sizeBytes: 20 * 1024 ** 3,
      cpus: 2,
      memoryBytes: 1024 * 1024 ** 2,
      notes: 'web-1',
      nics: [{ name: 'nic0', mac: '525400ABCDEF', switch: 'nubo-net1' }],
    });
    expect(lastScript()).toContain(
      'New-VM -Name $name -Generation 2 -MemoryStartupBytes $memoryBytes -VHDPath $disk',
    );
    expect(lastScript()).toContain(
      'Set-VMNetworkAdapter -VMName $name -Name $nic.name -StaticMacAddress $nic.mac',
    );

    await driver.start(s.vmId);
    expect(lastScript()).toBe(
      [
        '# nubo: start',
        "$ErrorActionPreference = 'Stop'",
        "$ProgressPreference = 'SilentlyContinue'",
        `$name = 'nubo-${s.vmId}'`,
        'try {',
        '  $vm = Get-VM -Name $name',
        "  if ($vm.State -ne 'Running') { Start-VM -VM $vm }",
        '} catch {',
        '  [Console]::Error.WriteLine($_.Exception.Message)',
        '  exit 1',
        '}',
        '',
      ].join('\n'),
    );
    expect(await driver.list()).toContainEqual({ name: `nubo-${s.vmId}`, vmId: s.vmId, power: 'running' });

    await driver.stop(s.vmId, { timeoutMs: 30_000 });
    expect(assignments(lastScript())).toEqual({ name: `nubo-${s.vmId}`, timeoutSeconds: 30 });
    expect(lastScript()).toContain('Stop-VM -VM $vm -Force -AsJob');
    expect(lastScript()).toContain('Stop-VM -VM $vm -TurnOff -Force');

    await driver.resize({ ...s, cpus: 4, diskGiB: 40 });
    expect(server.vms.get(`nubo-${s.vmId}`)!.params).toMatchObject({ cpus: 4, sizeBytes: 40 * 1024 ** 3 });

    await driver.destroy(s.vmId);
    expect(lastScript()).toContain('Remove-VM -VM $vm -Force');
    expect(lastScript()).toContain('Remove-Item -LiteralPath $disk -Force');
    expect(await driver.list()).not.toContainEqual(expect.objectContaining({ vmId: s.vmId }));
    await driver.destroy(s.vmId);
  });

  it('reads capacity and maps a missing VM to NUBO_NOT_FOUND', async () => {
    expect(await driver.capacity()).toEqual({ cpus: 24, ramMiB: 128 * 1024, diskGiB: 2048 });
    await expect(driver.start(randomUUID())).rejects.toMatchObject({ code: 'NUBO_NOT_FOUND' });
  });

  it('keeps hostile values inside their literals', async () => {
    const hostile = [
      "x'; Remove-VM -Name * -Force; '",
      'x\u2019; Stop-Computer -Force; \u2018',
      "'' $(Stop-Computer) `n \" ; #",
      "a'\n}; Get-ChildItem C:\\ ; {'",
    ];
    const benign = spec();
    await driver.define(benign);
    const reference = skeleton(lastScript());
    for (const evil of hostile) {
      const s = spec({
        vmId: benign.vmId,
        hostname: evil,
        image: { ...benign.image, path: `D:\\Images\\${evil}.vhdx` },
        nics: [{ ...benign.nics[0]!, bridge: evil }],
      });
      await driver.define(s);
      expect(skeleton(lastScript())).toBe(reference);
      const params = assignments(lastScript());
      expect(params.notes).toBe(evil);
      expect(params.parent).toBe(`D:\\Images\\${evil}.vhdx`);
      expect(params.nics).toEqual([{ name: 'nic0', mac: '525400ABCDEF', switch: evil }]);
    }
    expect([...server.vms.keys()].filter((n) => n.includes(benign.vmId))).toHaveLength(1);
    await driver.destroy(benign.vmId);
  });

  it('refuses a VM id that is not a UUID before sending anything', async () => {
    const sent = server.commands.length;
    await expect(driver.start("x'; Stop-Computer; '")).rejects.toMatchObject({ code: 'NUBO_VALIDATION' });
    await expect(driver.define(spec({ vmId: '../../x' }))).rejects.toMatchObject({ code: 'NUBO_VALIDATION' });
    expect(server.commands.length).toBe(sent);
  });

  it('sends only base64 on the command line, never the key, and logs no secret', () => {
    expect(server.authMethods).not.toContain('password');
    for (const command of server.commands)
      expect(command).toMatch(
        /^powershell\.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand [A-Za-z0-9+/]+=*$/,
      );
    const keyBody = server.clientKey.private.split('\n')[1]!;
    expect(server.scripts.join('\n')).not.toContain(keyBody);
    expect(logText).toContain('hyperv: running script');
    expect(logText).not.toContain(keyBody);
  });
});

describe('SshTransport authentication', () => {
  it('refuses a host whose key does not match the pinned fingerprint', async () => {
    const t = new SshTransport({
      host: '127.0.0.1',
      port: server.port,
      username: 'nubo',
      privateKey: server.clientKey.private,
      hostKeySha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    await expect(t.run('# nubo: list')).rejects.toMatchObject({ code: 'NUBO_HYPERVISOR' });
    await t.close();
  });

  it('is refused by the host with the wrong key or a password', async () => {
    const other = new FakeHypervServer().clientKey;
    for (const auth of [{ privateKey: other.private }, { password: 'hunter2-secret' }]) {
      const t = new SshTransport({
        host: '127.0.0.1',
        port: server.port,
        username: 'nubo',
        hostKeySha256: server.hostFingerprint,
        ...auth,
      });
      const err = await t.run('# nubo: list').catch((e) => e);
      expect(err).toMatchObject({ code: 'NUBO_HYPERVISOR' });
      expect(err.message).not.toContain('hunter2-secret');
      await t.close();
    }
  });
});
