// `nubo admin check` (and GET /v1/admin/check): quiet on a healthy region,
// names every broken promise and exits 1 on a broken one; admins only.
import { randomUUID } from 'node:crypto';
import { type CliIo, run } from '@nubo/cli';
import { randomMac, type Vm } from '@nubo/shared';
import { EtcdCluster } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../packages/api/test/helpers.js';

let etcd: EtcdCluster;
let api: TestApi;
let url: string;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  api = await TestApi.start(etcd);
  url = await api.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await api?.close();
  await etcd?.dispose();
});

async function nubo(token: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { NUBO_API_URL: url, NUBO_TOKEN: token, NUBO_CONFIG: '/nonexistent/nubo.json' },
  };
  return { code: await run(args, io), stdout, stderr };
}

function brokenVm(mac: string, host: string): Vm {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    projectId: randomUUID(),
    name: `v-${mac.slice(-2)}`,
    cpus: 1,
    ramMiB: 512,
    diskGiB: 1,
    imageId: randomUUID(),
    nics: [{ networkId: randomUUID(), mac, ipv6: `fd00::${mac.slice(-2)}` }],
    sshKeyIds: [],
    state: 'running',
    host,
    createdAt: now,
    updatedAt: now,
  };
}

describe('nubo admin check', () => {
  it('finds nothing on a healthy region and exits 0', async () => {
    const res = await nubo(api.adminToken, 'admin', 'check');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^checked 0 VMs at revision \d+/);
  });

  it('names each broken promise and exits 1', async () => {
    const mac = randomMac();
    const a = brokenVm(mac, 'ghost');
    const b = { ...brokenVm(mac, 'ghost'), name: 'twin' };
    await api.store.put(api.keys.vms.one(a.id), a);
    await api.store.put(api.keys.vms.one(b.id), b);
    try {
      const res = await nubo(api.adminToken, '--json', 'admin', 'check');
      expect(res.code).toBe(1);
      const report = JSON.parse(res.stdout) as { ok: boolean; violations: { rule: string }[] };
      expect(report.ok).toBe(false);
      const rules = new Set(report.violations.map((v) => v.rule));
      expect([...rules].sort()).toEqual(['ipv6.unique', 'mac.reserved', 'mac.unique', 'vm.running.host']);
      expect(res.stderr).toContain('invariant(s) broken');
    } finally {
      await api.store.delete(api.keys.vms.one(a.id));
      await api.store.delete(api.keys.vms.one(b.id));
    }
  });

  it('is for admins only', async () => {
    const t = await api.tenant('alice');
    const res = await nubo(t.token, 'admin', 'check');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('NUBO_FORBIDDEN');
  });
});
