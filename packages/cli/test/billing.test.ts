import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi, createUserWithToken, loadApiConfig } from '@nubo/api';
import { type CliIo, run } from '@nubo/cli';
import { defaultSources, Follower } from '@nubo/lifecycle';
import { createLogger, keyLayout, Store, Vm } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let etcd: EtcdCluster;
let store: Store;
let app: FastifyInstance;
let dir: string;
let env: NodeJS.ProcessEnv;
let memberToken: string;
let vmId: string;
const keys = keyLayout(uniquePrefix('cli-bill'));
const T0 = Date.parse('2020-01-01T00:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();

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
  dir = mkdtempSync(join(tmpdir(), 'nubo-cli-bill-'));
  const config = loadApiConfig(
    { etcdEndpoints: etcd.endpoints, prefix: keys.prefix, fileStoreDir: join(dir, 'files'), port: 0 },
    {},
  );
  app = await buildApi({ store, keys, config, logger: createLogger('api', { level: 'silent' }) });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = await createUserWithToken(store, keys, { name: 'admin', role: 'admin' });
  env = { NUBO_CONFIG: join(dir, 'config.json'), NUBO_API_URL: url, NUBO_TOKEN: admin.secret };
  memberToken = JSON.parse((await nubo('--json', 'user', 'create', 'alice')).stdout).token;
  // A VM as the API, scheduler and host would leave it, with the lifecycle follower deriving events and BOM.
  const project = JSON.parse((await nubo('--json', 'project', 'create', 'shop')).stdout)[0].id as string;
  await nubo('project', 'add-member', 'alice', '--project', project);
  env.NUBO_PROJECT = 'shop';
  const follower = new Follower(
    { store, keys, logger: createLogger('lc', { level: 'silent' }) },
    defaultSources(keys)[0]!,
  );
  void follower.run();
  vmId = '6f1c0e36-8d8e-4d67-9a53-0e9d0ac4a001';
  const vm: Vm = {
    id: vmId,
    projectId: project,
    name: 'web',
    cpus: 2,
    ramMiB: 2048,
    diskGiB: 10,
    imageId: '6f1c0e36-8d8e-4d67-9a53-0e9d0ac4a0ff',
    nics: [],
    sshKeyIds: [],
    state: 'running',
    host: 'h1',
    createdAt: at(0),
    updatedAt: at(0),
  };
  await store.txn().create(keys.vms.one(vmId), vm).commit();
  const stopped = await store.update(keys.vms.one(vmId), Vm, (v) => ({
    ...v,
    state: 'unresourced' as const,
    reason: 'host lost: h1',
    updatedAt: at(6),
  }));
  await follower.waitFor(stopped.modRevision);
  follower.stop();
});
afterAll(async () => {
  await app?.close();
  await store?.deletePrefix(keys.prefix);
  await store?.close();
  await etcd?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('nubo sku, bill, vm events and vm evacuate', () => {
  it('admins add SKUs and change prices; members list them and are refused writes', async () => {
    expect(
      (await nubo('sku', 'add', 'vcpu', '--name', 'vCPU', '--unit', 'vCPU', '--price', '0.01')).code,
    ).toBe(0);
    const ram = await nubo('sku', 'add', 'ram-gib', '--name', 'RAM', '--unit', 'GiB', '--price', '0.005');
    expect(ram.stdout).toMatch(/^ID\s+NAME\s+UNIT\s+PRICE\/H\s+PRICES\nram-gib\s+RAM\s+GiB\s+0\.005000\s+1/);
    const price = await nubo('sku', 'price', 'vcpu', '--price', '0.02', '--from', at(3));
    expect(price.code).toBe(0);
    expect(price.stdout).toContain(`${at(3)}  0.020000`);
    const bad = await nubo('sku', 'price', 'vcpu', '--price', 'cheap', '--from', at(3));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('NUBO_VALIDATION');
    expect(bad.stderr).toContain('/pricePerHour');
    env.NUBO_TOKEN = memberToken;
    const refused = await nubo('sku', 'add', 'disk-gib', '--name', 'Disk', '--unit', 'GiB', '--price', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('NUBO_FORBIDDEN');
    const list = JSON.parse((await nubo('--json', 'sku', 'list')).stdout);
    expect(list.map((s: { id: string }) => s.id).sort()).toEqual(['ram-gib', 'vcpu']);
  });

  it('prints the bill per resource and per SKU, and as JSON', async () => {
    const args = ['bill', '--from', at(0), '--to', at(10)];
    const table = await nubo(...args);
    expect(table.code).toBe(0);
    // 2 vCPU × (3 h × 0.01 + 3 h × 0.02) = 0.18; 2 GiB × 6 h × 0.005 = 0.06.
    expect(table.stdout).toMatch(/web\s+vm\s+vcpu\s+12\.000000 vCPU·h\s+0\.180000/);
    expect(table.stdout).toMatch(/web\s+vm\s+ram-gib\s+12\.000000 GiB·h\s+0\.060000/);
    expect(table.stdout).toContain('total 0.240000 (0.24)');
    const json = JSON.parse((await nubo('--json', ...args)).stdout);
    expect(json).toMatchObject({ totalMicro: 240_000, totalCents: '0.24' });
    expect(json.skus.map((s: { sku: string }) => s.sku)).toContain('vcpu');
    const backwards = await nubo('bill', '--from', at(2), '--to', at(1));
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('/to');
  });

  it("prints a VM's events, and an admin evacuates it", async () => {
    const events = await nubo('vm', 'events', 'web');
    expect(events.code).toBe(0);
    const lines = events.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTOR\s+ACTION\s+STATE\s+REASON$/);
    expect(lines[1]).toMatch(/^2020-01-01T00:00:00.000Z\s+api\s+vm\.created\s+-→running/);
    expect(lines[2]).toMatch(/06:00:00.000Z\s+scheduler\s+vm\.failed\s+running→unresourced\s+host lost: h1$/);
    expect(JSON.parse((await nubo('--json', 'vm', 'events', 'web')).stdout)).toHaveLength(2);
    const refused = await nubo('vm', 'evacuate', 'web');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('NUBO_FORBIDDEN');
    env.NUBO_TOKEN = (await createUserWithToken(store, keys, { name: 'root2', role: 'admin' })).secret;
    const evacuated = await nubo('--json', 'vm', 'evacuate', 'web');
    expect(evacuated.code).toBe(0);
    expect(JSON.parse(evacuated.stdout)).toMatchObject({ state: 'requested', host: 'h1' });
  });
});
