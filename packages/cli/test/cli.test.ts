import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi, createUserWithToken, loadApiConfig } from '@nubo/api';
import { type CliIo, run } from '@nubo/cli';
import { createLogger, keyLayout, Store, Vm } from '@nubo/shared';
import { EtcdCluster, ed25519KeyPair, uniquePrefix } from '@nubo/test';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let etcd: EtcdCluster;
let store: Store;
let app: FastifyInstance;
let dir: string;
let env: NodeJS.ProcessEnv;
const keys = keyLayout(uniquePrefix('cli'));

/** Runs `nubo ...` in-process against the listening API; returns the exit code and what it printed. */
async function nubo(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
  dir = mkdtempSync(join(tmpdir(), 'nubo-cli-'));
  const config = loadApiConfig(
    { etcdEndpoints: etcd.endpoints, prefix: keys.prefix, fileStoreDir: join(dir, 'files'), port: 0 },
    {},
  );
  app = await buildApi({ store, keys, config, logger: createLogger('api', { level: 'silent' }) });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = await createUserWithToken(store, keys, { name: 'admin', role: 'admin' });
  env = { NUBO_CONFIG: join(dir, 'config.json'), NUBO_API_URL: url, NUBO_TOKEN: admin.secret };
  writeFileSync(join(dir, 'tiny.raw'), Buffer.alloc(8192, 7));
});
afterAll(async () => {
  await app?.close();
  await store?.deletePrefix(keys.prefix);
  await store?.close();
  await etcd?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('nubo against a running API', () => {
  it('sets up a user, a project and a public image', async () => {
    const user = await nubo('--json', 'user', 'create', 'alice');
    expect(user.code).toBe(0);
    const token = JSON.parse(user.stdout).token as string;
    expect((await nubo('image', 'upload', join(dir, 'tiny.raw'), '--format', 'raw', '--public')).code).toBe(
      0,
    );
    // alice keeps her token in the config file, not on the command line.
    delete env.NUBO_TOKEN;
    expect((await nubo('configure', '--api-token', token)).code).toBe(0);
    expect(statSync(env.NUBO_CONFIG!).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(env.NUBO_CONFIG!, 'utf8')).token).toBe(token);
    const project = await nubo('project', 'create', 'web');
    expect(project.stdout).toMatch(/^NAME\s+MEMBERS\s+GRACE\s+ID\n(web)\s+1\s+7d/);
  });

  it('creates a key, a network and a VM, and lists them', async () => {
    writeFileSync(join(dir, 'id.pub'), ed25519KeyPair().public);
    const key = await nubo('key', 'add', 'laptop', '--file', join(dir, 'id.pub'));
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/fingerprint:\s+SHA256:/);
    expect((await nubo('net', 'create', 'front', '--ipv4', '10.9.0.0/24')).stdout).toMatch(
      /front\s+fd00:6e75:626f:/,
    );

    // Stand in for the scheduler and the host daemon: place and run the VM once it appears.
    const daemon = (async () => {
      for (let i = 0; i < 200; i++) {
        const { entries } = await store.list(keys.vms.prefix, Vm);
        const vm = entries.find((e) => e.value.name === 'web1');
        if (vm) {
          await new Promise((r) => setTimeout(r, 300));
          await store.update(vm.key, Vm, (v) => ({ ...v, state: 'building' as const, host: 'h1' }));
          await new Promise((r) => setTimeout(r, 300));
          await store.update(vm.key, Vm, (v) => ({ ...v, state: 'running' as const }));
          return;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const create = await nubo(
      'vm',
      'create',
      'web1',
      '--cpus',
      '2',
      '--ram',
      '1GiB',
      '--disk',
      '10GiB',
      '--image',
      'tiny',
      '--network',
      'front',
      '--key',
      'laptop',
      '--wait',
    );
    await daemon;
    expect(create.code).toBe(0);
    expect(create.stderr).toContain('web1: requested\n');
    expect(create.stderr).toContain('web1: running\n');
    expect(create.stdout).toMatch(/web1\s+running\s+2\s+1024MiB\s+10GiB\s+h1\s+fd00:6e75:626f:/);

    const vms = await nubo('vm', 'list');
    expect(vms.stdout.split('\n')[0]).toMatch(/^NAME\s+STATE\s+CPUS/);
    const asJson = JSON.parse((await nubo('--json', 'vm', 'list')).stdout);
    expect(asJson).toHaveLength(1);
    expect(asJson[0]).toMatchObject({ name: 'web1', state: 'running', cpus: 2 });
    expect(JSON.parse((await nubo('--json', 'key', 'list')).stdout)[0].name).toBe('laptop');
    expect(JSON.parse((await nubo('--json', 'net', 'list')).stdout)[0]).toMatchObject({
      name: 'front',
      ipv4Cidr: '10.9.0.0/24',
    });
    expect(JSON.parse((await nubo('--json', 'vm', 'show', 'web1')).stdout).nics).toHaveLength(1);
  });

  it('stop, delete and restore a VM by name', async () => {
    expect(JSON.parse((await nubo('--json', 'vm', 'stop', 'web1')).stdout).state).toBe('quiescing');
    await store.update((await store.list(keys.vms.prefix)).entries[0]!.key, Vm, (v) => ({
      ...v,
      state: 'quiesced' as const,
    }));
    expect((await nubo('vm', 'delete', 'web1')).stdout).toMatch(/scrub_queue/);
    expect((await nubo('vm', 'restore', 'web1')).stdout).toMatch(/restarting/);
  });

  it("exits non-zero with the API's message and the field", async () => {
    const bad = await nubo(
      'vm',
      'create',
      'web2',
      '--cpus',
      '1',
      '--ram',
      '2Gb',
      '--disk',
      '1G',
      '--image',
      'tiny',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: NUBO_BAD_UNIT: /ram:');
    expect(bad.stderr).toContain('  /ram: unknown unit "Gb"');
    const dup = await nubo('net', 'create', 'front');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/NUBO_ALREADY_EXISTS/);
    const forbidden = await nubo('host', 'list');
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/NUBO_FORBIDDEN/);
    expect((await nubo('vm', 'frobnicate')).code).toBe(2);
    env.NUBO_TOKEN = 'nubo_wrong';
    expect((await nubo('vm', 'list')).stderr).toMatch(/NUBO_UNAUTHENTICATED/);
    delete env.NUBO_TOKEN;
  });
});
