// The region under faults: real processes (2 schedulers, 2 APIs, 4 hosts on
// a 3-member etcd) and tenants working through the API while daemons, the
// scheduler leader and etcd members are killed and restarted. Afterwards the
// region must converge, and the invariant checker must find nothing.
// Reproduce a run with NUBO_CHAOS_SEED=<seed>; NUBO_CHAOS_SECONDS sets the length.
import { Vm } from '@nubo/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCaller, type ClientStats, runClient } from './clients.js';
import { waitConverged } from './converge.js';
import { injectFaults } from './faults.js';
import { chaosSeed, Rng } from './random.js';
import { ChaosRegion } from './region-processes.js';
import { apiReady, makeTenant, seedChaosImage } from './setup.js';

const SEED = chaosSeed();
const FAULT_SECONDS = Number(process.env.NUBO_CHAOS_SECONDS ?? 40);
const CONVERGE_BOUND_MS = 60_000;
const CLIENTS = 4;

let region: ChaosRegion;
let image: string;

beforeAll(async () => {
  region = await ChaosRegion.start();
  image = await seedChaosImage(region);
  for (const name of ['s1', 's2']) await region.addScheduler(name);
  for (const name of ['a1', 'a2']) await region.addApi(name);
  for (const name of ['h1', 'h2', 'h3', 'h4']) await region.addHost(name);
  for (const api of region.daemons.filter((d) => d.role === 'api')) await apiReady(api.url!);
}, 90_000);

afterAll(async () => {
  await region?.dispose();
});

describe(`chaos (seed ${SEED})`, () => {
  it('keeps its promises while daemons, the scheduler leader and etcd members die', async () => {
    const rng = new Rng(SEED);
    const apis = region.daemons.filter((d) => d.role === 'api');
    const tenants = [];
    for (let i = 0; i < CLIENTS; i++)
      tenants.push(await makeTenant(region, apis[0]!.url!, `tenant${i}`, image));

    let stopping = false;
    const liveUrls = () => {
      const up = apis.filter((a) => region.isUp(a)).map((a) => a.url!);
      return up.length > 0 ? up : apis.map((a) => a.url!);
    };
    const clients = tenants.map((t) => {
      const r = rng.fork();
      return runClient(t, apiCaller(liveUrls, r), r, () => stopping, 5);
    });
    const faults = await injectFaults(region, rng.fork(), Date.now() + FAULT_SECONDS * 1000);
    stopping = true;
    const stats = await Promise.all(clients);
    // Every daemon is up again (the injector restarts what it kills); give APIs a moment to listen.
    for (const api of apis) await apiReady(api.url!);

    const result = await waitConverged(region, CONVERGE_BOUND_MS);
    const total = sum(stats);
    const vms = (await region.store.list(region.keys.vms.prefix, Vm)).entries.length;
    const summary = {
      seed: SEED,
      faults: faults.injected,
      byKind: faults.byKind,
      operations: total.operations,
      accepted: total.accepted,
      refused: total.refused,
      failedDuringFaults: total.failed,
      refusals: total.refusals,
      vms,
      states: result.states,
      violations: result.violations.length,
      convergeMs: result.ms,
    };
    console.log(`chaos: ${JSON.stringify(summary)}`);
    const why = `seed ${SEED} (rerun with NUBO_CHAOS_SEED=${SEED})\nfaults:\n${faults.lines.join('\n')}\nbusy: ${result.busy.slice(0, 20).join('; ')}`;
    expect(result.violations, why).toEqual([]);
    expect(result.converged, why).toBe(true);
    expect(total.unexpected, why).toEqual([]);
    expect(faults.injected).toBeGreaterThan(5);
    expect(total.accepted).toBeGreaterThan(20);
  }, 240_000);
});

function sum(stats: ClientStats[]): ClientStats {
  return stats.reduce(
    (a, s) => ({
      operations: a.operations + s.operations,
      accepted: a.accepted + s.accepted,
      refused: a.refused + s.refused,
      failed: a.failed + s.failed,
      unexpected: [...a.unexpected, ...s.unexpected],
      refusals: { ...a.refusals, ...s.refusals },
    }),
    { operations: 0, accepted: 0, refused: 0, failed: 0, unexpected: [], refusals: {} },
  );
}
