// Benchmark of PodNet's reconcile on this machine, in namespaces it makes and
// removes. Anchor: one `ip -n <ns> link show` (one ip process; every apply
// step pays at least one). Run as root: node --import tsx bench/podnet-reconcile.ts

import { applyRouter, desiredRouter, namespaceName, PodnetConfig, removeRouter } from '@nubo/podnet';
import { loadConfig } from '@nubo/shared';
import { ipn, Lab, sh } from '../packages/podnet/test/lab.js';
import { buildRegion, network, project, router } from '../packages/podnet/test/region-fixture.js';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timeIt(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    times.push(ms(t0));
  }
  return median(times);
}

const lab = await Lab.create();
try {
  const region = await buildRegion(lab, '/bench/');
  const config = loadConfig(PodnetConfig, { env: {}, overrides: { ...region.config } });
  const snapshot = (p: ReturnType<typeof project>, networks: number, base = 1000) => ({
    project: p,
    router: router(p.id, 1),
    networks: Array.from({ length: networks }, (_, i) =>
      network(p.id, base + i, `fd00:${base + i}::/64`, `10.${i}.0.0/24`),
    ),
    vms: [],
    firewallRules: [],
    floatingIps: [],
    vpnTunnels: [],
  });
  const anchor = await timeIt(20, () => ipn(region.up, ['link', 'show']));

  const fresh: string[] = [];
  const create = await timeIt(5, async (i) => {
    const p = project();
    fresh.push(p.id);
    // Segments (VNIs) are unique in a region: each router its own.
    await applyRouter(desiredRouter(snapshot(p, 1, 3000 + i), config), config.runDir);
  });
  for (const id of fresh) await removeRouter(namespaceName(config.namespacePrefix, id), id, config);

  const p = project();
  const ten = snapshot(p, 10);
  await applyRouter(desiredRouter(ten, config), config.runDir);
  const noop = await timeIt(20, () => applyRouter(desiredRouter(ten, config), config.runDir));
  const add = await timeIt(5, async (i) => {
    const s = { ...ten, networks: [...ten.networks, network(p.id, 2000 + i, `fd00:${2000 + i}::/64`)] };
    await applyRouter(desiredRouter(s, config), config.runDir);
    await applyRouter(desiredRouter(ten, config), config.runDir); // and away again (not timed separately)
  });
  const t0 = process.hrtime.bigint();
  await removeRouter(namespaceName(config.namespacePrefix, p.id), p.id, config);
  const remove = ms(t0);

  console.log(`anchor: one ip process                       ${anchor.toFixed(1)} ms`);
  console.log(
    `router from nothing, 1 network               ${create.toFixed(0)} ms  (${(create / anchor).toFixed(0)}x anchor)`,
  );
  console.log(
    `no-op reconcile, 10 networks                 ${noop.toFixed(1)} ms  (${(noop / anchor).toFixed(1)}x anchor)`,
  );
  console.log(
    `add + remove an 11th network                 ${add.toFixed(0)} ms  (${(add / anchor).toFixed(0)}x anchor)`,
  );
  console.log(`remove a router with 10 networks             ${remove.toFixed(0)} ms`);
  console.log(`machine: ${(await sh('nproc', [])).trim()} cores`);
} finally {
  await lab.dispose();
}
