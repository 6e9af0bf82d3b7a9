// Benchmark: the lifecycle daemon's follower and computeBill on a real etcd.
// Anchors (ours; issue 8 names none): derive ≥ 500 VM changes/s, and bill a
// project of 1,000 VMs × 10 state changes (about 4,000 movements) in ≤ 1 s.
// Run: node --import tsx bench/lifecycle.ts [vms] [changesPerVm]
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { computeBill, createSku, defaultSources, Follower } from '@nubo/lifecycle';
import { createLogger, keyLayout, Store, type Vm } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';

const VMS = Number(process.argv[2] ?? 1000);
const CHANGES = Number(process.argv[3] ?? 10);
const log = createLogger('bench', { level: 'silent' });
const etcd = await EtcdCluster.start();
const store = new Store({ endpoints: etcd.endpoints });
const keys = keyLayout(uniquePrefix('bench-lc'));
const projectId = randomUUID();
for (const [id, price] of [
  ['vcpu', '0.01'],
  ['ram-gib', '0.005'],
  ['disk-gib', '0.0002'],
] as const) {
  await createSku(store, keys, { id, name: id, unit: 'unit', pricePerHour: price });
}
const T0 = Date.parse('2026-01-01T00:00:00Z');
const states: Vm['state'][] = ['running', 'quiescing', 'quiesced', 'restarting'];

const follower = new Follower({ store, keys, logger: log }, defaultSources(keys)[0]!);
void follower.run();
const started = performance.now();
let last = 0;
for (let v = 0; v < VMS; v++) {
  const vm: Vm = {
    id: randomUUID(),
    projectId,
    name: `vm-${v}`,
    cpus: 2,
    ramMiB: 2048,
    diskGiB: 20,
    imageId: randomUUID(),
    nics: [],
    sshKeyIds: [],
    state: 'building',
    host: 'h1',
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
  };
  const writes = [];
  for (let c = 0; c < CHANGES; c++) {
    const next = {
      ...vm,
      state: states[c % states.length]!,
      updatedAt: new Date(T0 + (c + 1) * 3_600_000).toISOString(),
    };
    writes.push(store.put(keys.vms.one(vm.id), next));
  }
  last = Math.max(last, ...(await Promise.all(writes)));
}
await follower.waitFor(last);
const deriveSeconds = (performance.now() - started) / 1000;
follower.stop();
const movements = await store.count(keys.bom.ofProject(projectId));

const billStart = performance.now();
const bill = await computeBill(store, keys, projectId, {
  from: new Date(T0).toISOString(),
  to: new Date(T0 + (CHANGES + 1) * 3_600_000).toISOString(),
});
const billMs = performance.now() - billStart;

console.log(`machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`);
console.log(
  `derive: ${VMS * CHANGES} VM changes in ${deriveSeconds.toFixed(2)} s = ${Math.round((VMS * CHANGES) / deriveSeconds)} changes/s (anchor ≥ 500/s)`,
);
console.log(
  `bill: ${movements} movements, ${bill.resources.length} resources in ${billMs.toFixed(0)} ms, total ${bill.totalCents} (anchor ≤ 1000 ms)`,
);
await store.deletePrefix(keys.prefix);
await store.close();
await etcd.dispose();
