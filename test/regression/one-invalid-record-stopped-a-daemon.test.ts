// A record that did not parse or fit its schema, anywhere a daemon follows
// (hosts/, allocations/, requests/), ended that daemon's watch: the scheduler's
// term failed at every start, so nothing in the region was placed, and a host
// daemon never finished starting while its host looked alive. Such records are
// now left out and logged; the daemons work on without them.
import { randomUUID } from 'node:crypto';
import { Vm } from '@nubo/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createVm, vmInState } from '../integration/region-fixture.js';
import { type TestHost, TestRegion } from '../integration/test-region.js';

let region: TestRegion;
let d1: TestHost;
let builtOnD1: string;

beforeAll(async () => {
  region = await TestRegion.start();
});
afterAll(async () => {
  await region?.dispose();
});

it('a host daemon starts past an invalid request and builds VMs', async () => {
  const { store, keys } = region;
  await store.client.put(keys.requests.host.one('d1', randomUUID())).value('{"kind": "build", oops');
  await store.put(keys.requests.host.one('d1', randomUUID()), { kind: 'no such kind' });
  d1 = await region.startHost('d1', { capacity: { cpus: 4, ramMiB: 8192, diskGiB: 100 } });
  region.startScheduler();
  const vm = await createVm(store, keys, { imageId: region.image.id });
  expect((await vmInState(store, keys, vm.id, 'running')).host).toBe('d1');
  builtOnD1 = vm.id;
});

it('the scheduler places past an invalid request and leaves out a host whose record is invalid', async () => {
  const { store, keys } = region;
  // d2 is the emptier host, so spread placement would pick it first.
  await region.startHost('d2', { capacity: { cpus: 64, ramMiB: 262_144, diskGiB: 4000 } });
  await region.stopSchedulers();
  await store.client.put(keys.allocations.one('d2')).value('not json');
  await store.client.put(keys.requests.scheduler.one(randomUUID())).value('{');
  region.startScheduler();
  const vm = await createVm(store, keys, { imageId: region.image.id });
  const placed = await vmInState(store, keys, vm.id, 'running');
  expect(placed.host).toBe('d1');
  expect((await store.require(keys.vms.one(vm.id), Vm)).value.host).toBe('d1');
});

it('reconcile neither stops nor starts a VM whose record cannot be read', async () => {
  const { store, keys } = region;
  await store.client.put(keys.vms.one(builtOnD1)).value('{"id": "cut short');
  const report = await d1.daemon.reconcileNow();
  expect(report.stopped).not.toContain(`nubo-${builtOnD1}`);
  expect(report.unowned).not.toContain(`nubo-${builtOnD1}`);
  expect(d1.driver.power(builtOnD1)).toBe('running');
});

it('refuses the VMs of an image whose record is not valid, saying so, and places the others', async () => {
  const { store, keys } = region;
  const badImage = randomUUID();
  await store.client.put(keys.images.one(badImage)).value('{"state": "ready"');
  const refused = await createVm(store, keys, { imageId: badImage });
  const fine = await createVm(store, keys, { imageId: region.image.id });
  expect((await vmInState(store, keys, refused.id, 'unresourced')).reason).toContain('cannot be read');
  expect((await vmInState(store, keys, fine.id, 'running')).host).toBe('d1');
});
