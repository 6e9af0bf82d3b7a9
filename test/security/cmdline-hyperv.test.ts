// Secrets never on a command line during a Hyper-V operation: the SSH key
// stays in memory (ssh2), the remote command is only base64 of the script, and
// no process on this machine shows the key while the operations run.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HypervDriver, SshTransport } from '@nubo/host';
import { createLogger } from '@nubo/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeHypervServer } from '../../packages/host/test/drivers/fake-hyperv-server.js';
import { CmdlineSampler } from './proc-sampler.js';

let server: FakeHypervServer;
let transport: SshTransport;

beforeAll(async () => {
  server = new FakeHypervServer();
  await server.listen();
  transport = new SshTransport({
    host: '127.0.0.1',
    port: server.port,
    username: 'nubo',
    privateKey: server.clientKey.private,
    hostKeySha256: server.hostFingerprint,
  });
});
it('the sampler sees a secret that is on a command line (it can fail)', async () => {
  const canary = `canary-${randomUUID()}`;
  const sampler = new CmdlineSampler([canary]).start();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 400)', canary]);
  await new Promise((r) => child.once('exit', r));
  await sleep(10);
  sampler.stop();
  expect(sampler.hits.length).toBeGreaterThan(0);
});

afterAll(async () => {
  await transport?.close();
  await server?.close();
});

it('keeps the SSH key off every command line, local and remote', async () => {
  const keyLines = server.clientKey.private.split('\n').filter((l) => l.length > 40);
  const sampler = new CmdlineSampler(keyLines).start();
  const driver = new HypervDriver({
    transport,
    diskDir: 'D:\\Disks\\',
    logger: createLogger('hyperv', { level: 'silent' }),
  });
  const vmId = randomUUID();
  await driver.define({
    vmId,
    hostname: 'web-1',
    cpus: 1,
    ramMiB: 512,
    diskGiB: 5,
    image: { id: randomUUID(), path: 'D:\\Images\\base.vhdx', format: 'raw' },
    nics: [{ mac: '52:54:00:ab:cd:01', networkId: randomUUID(), bridge: 'nubo-net1' }],
  });
  await driver.start(vmId);
  await driver.stop(vmId);
  await driver.destroy(vmId);
  sampler.stop();
  expect(server.commands.length).toBeGreaterThanOrEqual(4);
  expect(sampler.samples).toBeGreaterThan(1);
  expect(sampler.hits).toEqual([]);
  for (const remote of [...server.commands, ...server.scripts])
    for (const line of keyLines) expect(remote.includes(line)).toBe(false);
});
