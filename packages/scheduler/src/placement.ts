import { type Allocation, type Hypervisor, type Resources, releaseVm, reserveVm } from '@nubo/shared';
import { freeOf, type HostView, limitOf, shortages, weigh } from './capacity.js';
import type { PlacementPolicy } from './config.js';
import { HostRanking } from './ranking.js';

/** One VM to place. */
export interface PlacementItem {
  vmId: string;
  need: Resources;
  /** The hypervisors the VM's image runs on. */
  hypervisors: readonly Hypervisor[];
  /** Evacuation: the dead host the VM is released from in the same transaction. */
  releaseFrom?: string;
}

export type PlacementDecision = { vmId: string; host: string } | { vmId: string; reason: string };

/**
 * Plans placements for a batch against a working copy of the hosts: filter
 * (alive, enabled, hypervisor, room under the ratios), weigh (spread: most free
 * RAM share first; pack: least), reserve in the copy so the next VM of the
 * batch sees it. Pure: the caller commits `touched` allocations in one transaction.
 */
export class PlacementPlan {
  readonly decisions: PlacementDecision[] = [];
  /** Allocations changed by the plan, by host name. */
  readonly touched = new Map<string, Allocation>();
  private readonly free = new Map<string, Resources>();
  private readonly limits = new Map<string, Resources>();

  /**
   * `ranking`, when given, is the hosts already ranked by `weigh` on their
   * allocations in `hosts` (the cluster view keeps one across batches); the
   * plan re-ranks the hosts it reserves on, so the caller re-ranks those from
   * its own view afterwards (ClusterView.planned). Without it the plan ranks
   * every host itself.
   */
  constructor(
    private readonly hosts: ReadonlyMap<string, HostView>,
    private readonly policy: PlacementPolicy,
    private ranking?: HostRanking,
  ) {}

  place(item: PlacementItem): PlacementDecision {
    const host = this.best(item);
    const decision: PlacementDecision =
      host === undefined ? { vmId: item.vmId, reason: this.explain(item) } : { vmId: item.vmId, host };
    if ('host' in decision) {
      if (item.releaseFrom) this.releaseOn(item.releaseFrom, item.vmId);
      this.touch(decision.host, reserveVm(this.allocation(decision.host), item.vmId, item.need));
    }
    this.decisions.push(decision);
    return decision;
  }

  allocation(host: string): Allocation {
    const view = this.hosts.get(host);
    return this.touched.get(host) ?? view!.allocation;
  }

  private releaseOn(host: string, vmId: string): void {
    if (!this.hosts.has(host)) return;
    this.touch(host, releaseVm(this.allocation(host), vmId));
  }

  private touch(host: string, allocation: Allocation): void {
    this.touched.set(host, allocation);
    this.free.delete(host);
    const view = this.hosts.get(host);
    if (view) this.ranking?.update(host, this.score(view));
  }

  private usable(view: HostView, item: PlacementItem): boolean {
    return view.aliveRev > 0 && view.host.enabled && item.hypervisors.includes(view.host.hypervisor);
  }

  /** Free room per host under the ratios, cached until the plan changes that host. */
  private freeNow(view: HostView): Resources {
    let free = this.free.get(view.name);
    if (!free) {
      free = freeOf({ ...view, allocation: this.allocation(view.name) }, this.policy);
      this.free.set(view.name, free);
    }
    return free;
  }

  private limit(view: HostView): Resources {
    let limit = this.limits.get(view.name);
    if (!limit) {
      limit = limitOf(view.host, this.policy);
      this.limits.set(view.name, limit);
    }
    return limit;
  }

  private score(view: HostView): number {
    return weigh(this.limit(view), this.freeNow(view), this.policy);
  }

  /** The most preferred usable host with room for the VM (ties by name); undefined when none fits. */
  private best(item: PlacementItem): string | undefined {
    this.ranking ??= new HostRanking(
      [...this.hosts.values()].map((view) => ({ name: view.name, score: this.score(view) })),
    );
    const need = item.need;
    return this.ranking.first((name) => {
      const view = this.hosts.get(name)!;
      if (!this.usable(view, item)) return false;
      const free = this.freeNow(view);
      return need.cpus <= free.cpus && need.ramMiB <= free.ramMiB && need.diskGiB <= free.diskGiB;
    });
  }

  /** Why no host fits, counted by the first filter each host fails. */
  private explain(item: PlacementItem): string {
    const counts = { dead: 0, disabled: 0, hypervisor: 0, short: new Map<string, number>() };
    for (const view of this.hosts.values()) {
      if (view.aliveRev === 0) counts.dead++;
      else if (!view.host.enabled) counts.disabled++;
      else if (!item.hypervisors.includes(view.host.hypervisor)) counts.hypervisor++;
      else
        for (const s of shortages(item.need, this.freeNow(view)))
          counts.short.set(s, (counts.short.get(s) ?? 0) + 1);
    }
    const { cpus, ramMiB, diskGiB } = item.need;
    const parts = [`${this.hosts.size} hosts known`];
    if (counts.dead) parts.push(`${counts.dead} not alive`);
    if (counts.disabled) parts.push(`${counts.disabled} disabled`);
    if (counts.hypervisor)
      parts.push(
        `${counts.hypervisor} run a hypervisor the image does not support (${item.hypervisors.join(', ')})`,
      );
    for (const [what, n] of counts.short) parts.push(`${n} lack free ${what}`);
    return `no host can take this VM (${cpus} vCPU, ${ramMiB} MiB RAM, ${diskGiB} GiB disk): ${parts.join('; ')}`;
  }
}
