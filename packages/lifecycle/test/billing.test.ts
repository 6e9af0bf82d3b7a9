import { keyLayout, Store, type Vm } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeBill } from '../src/bill.js';
import { listEvents } from '../src/events.js';
import { Follower } from '../src/follower.js';
import { addPrice } from '../src/skus.js';
import { defaultSources } from '../src/sources.js';
import { at, H, newVm, seedProject, seedSkus, silent, writeVm } from './fixtures.js';

let etcd: EtcdCluster;
let store: Store;

beforeAll(async () => {
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
});
afterAll(async () => {
  await store.close();
  await etcd.dispose();
});

describe('a VM through create, resize, stop, start and delete', () => {
  const keys = keyLayout(uniquePrefix('bill'));
  let vm: Vm;
  let projectId: string;

  beforeAll(async () => {
    await seedSkus(store, keys);
    // vCPU goes from 0.01 to 0.02 per hour at T0+10h, in the middle of the resized period.
    await addPrice(store, keys, 'vcpu', { pricePerHour: '0.02', from: at(10 * H) });
    projectId = (await seedProject(store, keys)).project.id;
    const follower = new Follower({ store, keys, logger: silent }, defaultSources(keys)[0]!);
    void follower.run();
    vm = newVm(projectId);
    const steps: [number, Partial<Vm>][] = [
      [0, {}],
      [60, { state: 'building', host: 'h1' }],
      [300, { state: 'running' }],
      [4 * H, { state: 'updating', resumeState: 'running', pending: { cpus: 4, ramMiB: 4096, diskGiB: 40 } }],
      [4 * H + 120, { state: 'running', cpus: 4, ramMiB: 4096, diskGiB: 40 }],
      [12 * H, { state: 'quiescing' }],
      [12 * H + 30, { state: 'quiesced' }],
      [20 * H, { state: 'restarting' }],
      [20 * H + 45, { state: 'running' }],
      [30 * H, { state: 'scrub_queue', deletedAt: at(30 * H), scrubAfter: at(30 * H + 7 * 24 * H) }],
    ];
    let revision = 0;
    for (const [seconds, change] of steps) {
      const { pending: _p, resumeState: _r, ...rest } = vm;
      const keepResize = change.state === 'updating';
      vm = { ...(keepResize ? vm : rest), ...change, updatedAt: at(seconds) } as Vm;
      revision = await writeVm(store, keys, vm);
    }
    await follower.waitFor(revision);
    follower.stop();
  });

  it('costs what the hand computation says, to the cent, across a price change', async () => {
    // Running 2 vCPU / 2 GiB / 20 GiB from T0+300s to T0+4h+120s: 14 220 s.
    // Running 4 / 4 / 40 until quiesced at T0+12h+30s: 28 710 s (vCPU: 21 480 s at 0.01, 7 230 s at 0.02).
    // Quiesced, disk only, until restarting at T0+20h: 28 770 s. Running 4 / 4 / 40 until deleted at T0+30h: 36 000 s.
    // vCPU: 2*14220/3600*0.01 + 4*21480/3600*0.01 + 4*7230/3600*0.02 + 4*36000/3600*0.02 = 1.2783333…
    // RAM:  (2*14220 + 4*28710 + 4*36000)/3600 * 0.005                                 = 0.399
    // Disk: (20*14220 + 40*28710 + 40*28770 + 40*36000)/3600 * 0.0002                  = 0.2235333…
    const bill = await computeBill(store, keys, projectId, { from: at(0), to: at(48 * H) });
    expect(bill.resources).toHaveLength(1);
    const lines = Object.fromEntries(bill.resources[0]!.lines.map((l) => [l.sku, l]));
    expect(lines.vcpu?.amountMicro).toBe(1_278_333);
    expect(lines['ram-gib']?.amountMicro).toBe(399_000);
    expect(lines['disk-gib']?.amountMicro).toBe(223_533);
    expect(lines.vcpu?.unitHours).toBe(String(((2 * 14220 + 4 * 28710 + 4 * 36000) / 3600).toFixed(6)));
    // The licence line has no SKU: consumed, but free.
    expect(lines[`image-${vm.imageId}`]?.amountMicro).toBe(0);
    expect(bill.totalMicro).toBe(1_900_866);
    expect(bill.total).toBe('1.900866');
    expect(bill.totalCents).toBe('1.90');
  });

  it('bills any window: only what fell inside it', async () => {
    // T0+11h..T0+13h: 1h running 4/4/40 at vCPU 0.02 + 30 s more of it, then disk only.
    const bill = await computeBill(store, keys, projectId, { from: at(11 * H), to: at(13 * H) });
    // Running 11h → 12h+30s = 3 630 s; each line is rounded once, to micro-units:
    // vCPU 4*3630/3600*0.02 = 0.0806666… → 80 667; RAM 4*3630/3600*0.005 = 0.0201666… → 20 167;
    // disk 40*7200/3600*0.0002 = 0.016 → 16 000.
    const expected = 80_667 + 20_167 + 16_000;
    expect(bill.totalMicro).toBe(expected);
  });

  it('refuses a window that ends before it starts', async () => {
    await expect(computeBill(store, keys, projectId, { from: at(H), to: at(0) })).rejects.toMatchObject({
      code: 'NUBO_VALIDATION',
      details: [{ field: '/to' }],
    });
    await expect(computeBill(store, keys, projectId, { from: 'yesterday', to: at(0) })).rejects.toMatchObject(
      {
        code: 'NUBO_VALIDATION',
        details: [{ field: '/from' }],
      },
    );
  });

  it('lists the lifecycle as events, in order, with who and why', async () => {
    const events = await listEvents(store, keys, projectId, {}, { resourceId: vm.id });
    expect(events.map((e) => [e.action, e.fromState ?? '', e.toState ?? '', e.actor])).toEqual([
      ['vm.created', '', 'requested', 'api'],
      ['vm.state', 'requested', 'building', 'scheduler'],
      ['vm.state', 'building', 'running', 'host:h1'],
      ['vm.state', 'running', 'updating', 'api'],
      ['vm.resized', '', '', 'host:h1'],
      ['vm.state', 'updating', 'running', 'host:h1'],
      ['vm.state', 'running', 'quiescing', 'api'],
      ['vm.state', 'quiescing', 'quiesced', 'host:h1'],
      ['vm.state', 'quiesced', 'restarting', 'api'],
      ['vm.state', 'restarting', 'running', 'host:h1'],
      ['vm.state', 'running', 'scrub_queue', 'api'],
    ]);
    expect(events.map((e) => e.time)).toEqual([...events.map((e) => e.time)].sort());
    expect(events[4]?.message).toBe('2 vCPU, 2048 MiB RAM, 20 GiB disk → 4 vCPU, 4096 MiB RAM, 40 GiB disk');
  });

  afterAll(async () => {
    await store.deletePrefix(keys.prefix);
  });
});
