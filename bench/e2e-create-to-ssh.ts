// From POST /vms to a successful SSH login with the owner's key, split into
// phases, on a real local region (libvirt/QEMU: TCG unless KVM really works).
// Run: node --import tsx bench/e2e-create-to-ssh.ts [runs]   (root; about 1 min per run)
// Anchor: ≤ 10 s from POST to SSH under TCG (issue 7).
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { keyLayout, Store, Vm } from '@nubo/shared';
import { Region } from '../scripts/region/region.js';
import { Api, type VmView } from '../test/e2e/api.js';
import { sshWhenUp } from '../test/e2e/ssh.js';
import { ed25519KeyPair } from '../test/harness/index.js';

const PHASES = ['schedule', 'define', 'boot', 'address', 'metadata', 'key installed', 'SSH'] as const;
/**
 * Serial-console marks of the guest image (scripts/guest-image/rc.sh and the
 * init agent) ending each phase. sshd starts beside the agent on a first boot,
 * so it is reported on its own (seconds after POST), not as a phase.
 */
const MARKS: Record<string, RegExp> = {
  boot: /NUBO-IMAGE: rc started/,
  address: /NUBO-IMAGE: address fd/,
  metadata: /nubo-init: instance .* from/,
  'key installed': /NUBO-IMAGE: init agent done/,
  sshd: /NUBO-IMAGE: sshd started/,
};

async function oneRun(region: { runDir: string }, api: Api, store: Store, base: string, n: number) {
  const keys = keyLayout();
  const pair = ed25519KeyPair();
  await api.call('POST', `${base}/ssh-keys`, { name: `k${n}`, publicKey: pair.public });
  const at: Record<string, number> = {};
  const t0 = performance.now();
  const { vm } = await api.call<{ vm: VmView }>('POST', `${base}/vms`, {
    name: `bench-${n}`,
    cpus: 1,
    ram: '512MiB',
    disk: '2GiB',
    image: 'debian-12',
    networks: [networkId],
    sshKeys: [`k${n}`],
  });
  const serial = join(region.runDir, 'host', 'console', `nubo-${vm.id}.serial`);
  let address = '';
  while (at.sshd === undefined || at['key installed'] === undefined) {
    const now = performance.now() - t0;
    const record = (await store.get(keys.vms.one(vm.id), Vm))?.value;
    if (record?.host && at.schedule === undefined) at.schedule = now;
    if (record?.state === 'running' && at.define === undefined) at.define = now;
    if (record?.state === 'unresourced') throw new Error(`unresourced: ${record.reason}`);
    address = record?.nics[0]?.ipv6 ?? '';
    let text = '';
    try {
      text = readFileSync(serial, 'utf8');
    } catch {}
    for (const [phase, mark] of Object.entries(MARKS))
      if (at[phase] === undefined && mark.test(text)) at[phase] = now;
    if (now > 300_000) throw new Error('no sshd within 300 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  await sshWhenUp({ netns: `${routerPrefix}${projectId}`, address, privateKey: pair.private }, 'true');
  at.SSH = performance.now() - t0;
  await api.call('DELETE', `${base}/vms/${vm.id}`);
  return at;
}

let networkId = '';
let projectId = '';
let routerPrefix = '';

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const region = new Region({ say: () => undefined });
  const info = await region.start();
  if (info.plan.driver.kind !== 'libvirt') throw new Error(`needs libvirt: ${info.plan.driver.why}`);
  routerPrefix = info.plan.routerPrefix;
  const store = new Store({ endpoints: [info.etcd] });
  try {
    const api = new Api(info.apiUrl, info.adminToken);
    const { project } = await api.call<{ project: { id: string } }>('POST', '/projects', {
      name: 'bench',
      graceDays: 0,
    });
    projectId = project.id;
    const base = `/projects/${projectId}`;
    const { network } = await api.call<{ network: { id: string } }>('POST', `${base}/networks`, {
      name: 'lan',
    });
    networkId = network.id;
    const results: Record<string, number>[] = [];
    for (let n = 0; n < runs; n++) {
      const at = await oneRun(info.plan, api, store, base, n);
      results.push(at);
      const line = PHASES.map((p, i) => {
        const prev = i === 0 ? 0 : (at[PHASES[i - 1]!] ?? 0);
        return `${p} ${(((at[p] ?? 0) - prev) / 1000).toFixed(2)}`;
      });
      const sshd = ((at.sshd ?? 0) / 1000).toFixed(2);
      console.log(
        `run ${n + 1}: total ${((at.SSH ?? 0) / 1000).toFixed(2)} s  [${line.join(' | ')}]  sshd up at ${sshd}`,
      );
    }
    console.log(`\nmedian over ${runs} runs (seconds, each phase from the end of the one before):`);
    for (const [i, p] of PHASES.entries()) {
      const spans = results.map((at) => (at[p] ?? 0) - (i === 0 ? 0 : (at[PHASES[i - 1]!] ?? 0)));
      console.log(`  ${p.padEnd(14)} ${(median(spans) / 1000).toFixed(2)}`);
    }
    console.log(
      `  ${'(sshd up at)'.padEnd(14)} ${(median(results.map((at) => at.sshd ?? 0)) / 1000).toFixed(2)}`,
    );
    const total = median(results.map((at) => at.SSH ?? 0)) / 1000;
    console.log(`  ${'POST → SSH'.padEnd(14)} ${total.toFixed(2)}   (anchor: ≤ 10 s under TCG)`);
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, driver ${info.plan.driver.kind} (domain type: TCG unless KVM really works, see docs/drivers.md)`,
    );
  } finally {
    await store.close();
    await region.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
