// Chaos test: a host request stayed claimed and undone for good. The claim's
// transaction was applied, but its answer was lost with the etcd member that
// served it; the client's retry then compared a revision the claim itself had
// moved, "lost", and the daemon took the request for someone else's.
import { randomUUID } from 'node:crypto';
import { directCommit, FakeDriver, HostWorker, MemoryImageStore, type RunOutcome } from '@nubo/host';
import { type HostRequest, Vm } from '@nubo/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createVm, eventually } from '../integration/region-fixture.js';
import { quiet, TestRegion } from '../integration/test-region.js';

let region: TestRegion;

beforeAll(async () => {
  region = await TestRegion.start();
});
afterAll(async () => {
  await region?.dispose();
});

it('carries out a request whose claim was applied though the commit answered "conflict"', async () => {
  const { store, keys } = region;
  const made = await createVm(store, keys, { imageId: region.image.id });
  await store.update(keys.vms.one(made.id), Vm, (vm) => ({ ...vm, state: 'quiescing' as const, host: 'c1' }));
  const req: HostRequest = {
    id: randomUUID(),
    kind: 'stop',
    vmId: made.id,
    createdAt: new Date().toISOString(),
  };
  await store.txn().create(keys.requests.host.one('c1', req.id), req).commit();

  const real = directCommit(store);
  let lost = 0;
  const worker = new HostWorker({
    store,
    keys,
    hostname: 'c1',
    driver: new FakeDriver(),
    images: new MemoryImageStore(),
    log: quiet,
    // The first claim is applied, then answered as a lost compare.
    commit: async (spec) => {
      const result = await real(spec);
      const claiming = spec.puts.some((p) => (p.value as HostRequest | undefined)?.claimedBy);
      if (claiming && lost++ === 0) return undefined;
      return result;
    },
  });
  const outcomes: RunOutcome[] = [];
  worker.onOutcome = (_req, outcome) => outcomes.push(outcome);
  const entry = await store.require(keys.requests.host.one('c1', req.id));
  worker.dispatch(entry as Parameters<HostWorker['dispatch']>[0]);

  await eventually('the request to end', async () => (outcomes.length ? outcomes : undefined));
  worker.stop();
  expect(lost).toBe(1);
  expect(outcomes).toEqual(['done']);
  expect((await store.require(keys.vms.one(made.id), Vm)).value.state).toBe('quiesced');
  expect(await store.get(keys.requests.host.one('c1', req.id))).toBeUndefined();
});
