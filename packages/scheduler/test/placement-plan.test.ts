import { emptyAllocation, type Hypervisor, type Resources, reserveVm } from '@nubo/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  freeOf,
  type HostView,
  limitOf,
  type PlacementItem,
  PlacementPlan,
  type PlacementPolicy,
} from '../src/index.js';

/** The placement rule written as plainly as possible: every host, every VM, argmax. */
function naive(hosts: HostView[], items: PlacementItem[], policy: PlacementPolicy): (string | undefined)[] {
  const alloc = new Map(hosts.map((h) => [h.name, h.allocation]));
  return items.map((item) => {
    let best: { name: string; score: number } | undefined;
    for (const h of hosts) {
      if (h.aliveRev === 0 || !h.host.enabled || !item.hypervisors.includes(h.host.hypervisor)) continue;
      const free = freeOf({ ...h, allocation: alloc.get(h.name)! }, policy);
      if (item.need.cpus > free.cpus || item.need.ramMiB > free.ramMiB || item.need.diskGiB > free.diskGiB)
        continue;
      const limit = limitOf(h.host, policy).ramMiB;
      const share = limit > 0 ? free.ramMiB / limit : 0;
      const score = policy.weigher === 'spread' ? share : -share;
      if (!best || score > best.score || (score === best.score && h.name < best.name))
        best = { name: h.name, score };
    }
    if (best) alloc.set(best.name, reserveVm(alloc.get(best.name)!, item.vmId, item.need));
    return best?.name;
  });
}

const resources = (max: number): fc.Arbitrary<Resources> =>
  fc.record({
    cpus: fc.integer({ min: 0, max }),
    ramMiB: fc.integer({ min: 0, max: max * 1024 }),
    diskGiB: fc.integer({ min: 0, max: max * 10 }),
  });

const hostArb = fc.record({
  alive: fc.boolean(),
  enabled: fc.boolean(),
  hypervisor: fc.constantFrom<Hypervisor>('libvirt', 'fake'),
  capacity: resources(16),
});

describe('PlacementPlan', () => {
  it('picks, VM after VM, the host a plain filter-and-argmax over every host picks', () => {
    fc.assert(
      fc.property(
        fc.array(hostArb, { minLength: 1, maxLength: 12 }),
        fc.array(resources(6), { maxLength: 30 }),
        fc.constantFrom<'spread' | 'pack'>('spread', 'pack'),
        (specs, needs, weigher) => {
          const hosts: HostView[] = specs.map((s, i) => ({
            name: `h${String(i).padStart(2, '0')}`,
            host: {
              name: `h${i}`,
              hypervisor: s.hypervisor,
              capacity: s.capacity,
              enabled: s.enabled,
              createdAt: '2024-01-01T00:00:00Z',
            },
            aliveRev: s.alive ? 1 : 0,
            allocation: emptyAllocation(`h${i}`),
            allocationRev: 0,
          }));
          const policy: PlacementPolicy = { cpuRatio: 2, ramRatio: 1, diskRatio: 1, weigher };
          const items: PlacementItem[] = needs.map((need, i) => ({
            vmId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            need,
            hypervisors: ['fake'],
          }));
          const plan = new PlacementPlan(new Map(hosts.map((h) => [h.name, h])), policy);
          const got = items.map((item) => {
            const d = plan.place(item);
            return 'host' in d ? d.host : undefined;
          });
          expect(got).toEqual(naive(hosts, items, policy));
        },
      ),
      { numRuns: 300 },
    );
  });
});
