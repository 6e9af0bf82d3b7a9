import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostConfig } from '../../src/config.js';
import { createDriver } from '../../src/driver-factory.js';
import { FakeHypervServer } from './fake-hyperv-server.js';

// The host daemon's configuration builds a working Hyper-V driver: SSH to the
// Windows host (here the test's ssh2 server that answers like Hyper-V), the key
// read from a file, the host key pinned.
let server: FakeHypervServer;
const dir = mkdtempSync(join(tmpdir(), 'nubo-hyperv-config-'));

beforeAll(async () => {
  server = new FakeHypervServer();
  await server.listen();
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createDriver with driver hyperv', () => {
  it('talks to the configured host with the key from the file and resolves images in its directory', async () => {
    const keyFile = join(dir, 'id');
    writeFileSync(keyFile, server.clientKey.private, { mode: 0o600 });
    const config = loadConfig(HostConfig, {
      env: {},
      overrides: {
        driver: 'hyperv',
        hypervHost: '127.0.0.1',
        hypervPort: server.port,
        hypervUser: 'nubo',
        hypervKeyFile: keyFile,
        hypervHostKeySha256: server.hostFingerprint,
        hypervImagesDir: 'D:\\Images',
      },
    });
    const { driver, images } = createDriver(config);
    expect(driver.kind).toBe('hyperv');
    expect(await driver.list()).toEqual([]);
    const image = await images.import({ id: randomUUID(), source: 'debian-12.vhdx', format: 'raw' });
    expect(image.path).toBe('D:\\Images\\debian-12.vhdx');
    await expect(
      images.import({ id: randomUUID(), source: '..\\x.vhdx', format: 'raw' }),
    ).rejects.toMatchObject({
      code: 'NUBO_VALIDATION',
    });
    await (
      driver as unknown as { options: { transport: { close(): Promise<void> } } }
    ).options.transport.close();
  });

  it('refuses to start without the host, key file and pinned host key', () => {
    const config = loadConfig(HostConfig, { env: {}, overrides: { driver: 'hyperv' } });
    expect(() => createDriver(config)).toThrow(
      expect.objectContaining({
        code: 'NUBO_CONFIG',
        details: expect.arrayContaining([expect.objectContaining({ field: '/hypervHostKeySha256' })]),
      }),
    );
  });
});
