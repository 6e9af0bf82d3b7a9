import {
  Allocation,
  type Entry,
  emptyAllocation,
  follow,
  Host,
  HostLiveness,
  Image,
  isValid,
  type Keys,
  type Logger,
  NuboError,
  type OnInvalid,
  readMany,
  type Static,
  type Store,
  type TSchema,
  type WatchEvent,
} from '@nubo/shared';
import { freeOf, type HostView, limitOf, weigh } from './capacity.js';
import type { PlacementPolicy } from './config.js';
import { HostRanking } from './ranking.js';

interface Versioned<T> {
  value: T;
  rev: number;
}

/**
 * The leader's picture of the hosts: `hosts/`, `alive/` and `allocations/`,
 * followed by watches. It may be stale; placements compare the revisions it
 * holds, and after a conflict `refresh` re-reads the hosts that moved.
 */
export class ClusterView {
  private readonly hosts = new Map<string, Versioned<Host>>();
  private readonly alive = new Map<string, number>();
  private readonly allocations = new Map<string, Versioned<Allocation>>();
  private readonly images = new Map<string, Image>();
  /** Views kept for `snapshot`; `stale` names those to rebuild, `allStale` all of them (after a reset). */
  private readonly views = new Map<string, HostView>();
  private readonly stale = new Set<string>();
  private allStale = true;
  private ranked: { policy: PlacementPolicy; ranking: HostRanking } | undefined;
  /**
   * Keys under hosts/, alive/ or allocations/ whose record is not valid (by
   * hand, or a bug): their host is left out of placement until a valid
   * record replaces it. Never taken for a lost host: its VMs may run.
   */
  private readonly invalid = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly keys: Keys,
    private readonly onHostLost: (name: string) => void = () => {},
    private readonly log?: Logger,
  ) {}

  /** Starts following; resolves once every prefix was listed. `done` settles when the signal aborts. */
  async start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    const follows = [
      this.followPrefix(this.keys.hosts.prefix, Host, signal, (e) => this.onHost(e)),
      this.followPrefix(this.keys.alive.prefix, HostLiveness, signal, (e) => this.onAlive(e)),
      this.followPrefix(this.keys.allocations.prefix, Allocation, signal, (e) => this.onAllocation(e)),
      this.followPrefix(
        this.keys.images.prefix,
        Image,
        signal,
        (e) => this.onImage(e),
        (key) => {
          // Left unknown: a batch that needs it reads it, and that request alone fails.
          this.images.delete(this.nameOf(key, this.keys.images.prefix));
        },
      ),
    ];
    await Promise.all(follows.map((f) => f.listed));
    return { done: Promise.all(follows.map((f) => f.done)).then(() => {}) };
  }

  /**
   * Every registered host's view. The map is kept between calls and rebuilt
   * only for hosts that changed since (a batch of ten VMs need not rebuild
   * 1,000 views), so it is valid until the next await, not beyond.
   */
  snapshot(): ReadonlyMap<string, HostView> {
    if (this.allStale) {
      this.allStale = false;
      this.views.clear();
      this.ranked = undefined;
      for (const name of this.hosts.keys()) this.stale.add(name);
    }
    for (const name of this.stale) {
      const view = this.view(name);
      if (view) this.views.set(name, view);
      else this.views.delete(name);
      if (this.ranked) {
        const { ranking, policy } = this.ranked;
        if (view) ranking.set(name, scoreOf(view, policy));
        else ranking.remove(name);
      }
    }
    this.stale.clear();
    return this.views;
  }

  /** The snapshot, with its hosts ranked for `policy`: both kept between batches (see PlacementPlan). */
  planning(policy: PlacementPolicy): { hosts: ReadonlyMap<string, HostView>; ranking: HostRanking } {
    const hosts = this.snapshot();
    if (this.ranked?.policy !== policy) {
      const entries = [...hosts.values()].map((v) => ({ name: v.name, score: scoreOf(v, policy) }));
      this.ranked = { policy, ranking: new HostRanking(entries) };
    }
    return { hosts, ranking: this.ranked.ranking };
  }

  /** Hosts a plan re-ranked by its own reservations: ranked again from this view before the next plan. */
  planned(names: Iterable<string>): void {
    for (const name of names) this.stale.add(name);
  }

  view(name: string): HostView | undefined {
    const host = this.hosts.get(name);
    if (!host || this.hasInvalidRecord(name)) return undefined;
    const allocation = this.allocations.get(name);
    return {
      name,
      host: host.value,
      aliveRev: this.alive.get(name) ?? 0,
      allocation: allocation?.value ?? emptyAllocation(name),
      allocationRev: allocation?.rev ?? 0,
    };
  }

  /**
   * An image the watch says is ready. Anything else (unknown, not ready) is
   * read from etcd by the caller: the watch may lag behind an image just made ready.
   */
  readyImage(id: string): Image | undefined {
    const image = this.images.get(id);
    return image?.state === 'ready' ? image : undefined;
  }

  isAlive(name: string): boolean {
    return this.alive.has(name);
  }

  /** Names of hosts that have an allocation record (hold VMs) but no liveness key. */
  silentHostsWithVms(): string[] {
    return [...this.allocations.entries()]
      .filter(([name, a]) => !this.alive.has(name) && Object.keys(a.value.vms).length > 0)
      .map(([name]) => name);
  }

  /** Records what our own transaction wrote, ahead of the watch. */
  committed(host: string, allocation: Allocation, revision: number): void {
    this.setAllocation(host, allocation, revision);
  }

  /**
   * Re-reads every host. Before a VM is refused: the view's watches are
   * separate streams, so a host registered just before a create may reach
   * the view after the create's request does.
   */
  async refreshAll(): Promise<void> {
    const k = this.keys;
    // Three range reads, whatever the number of hosts; what is read only adds to the view.
    const [hosts, alive, allocations] = await Promise.all([
      this.store.list(k.hosts.prefix, Host, this.onInvalidRecord),
      this.store.list(k.alive.prefix, HostLiveness, this.onInvalidRecord),
      this.store.list(k.allocations.prefix, Allocation, this.onInvalidRecord),
    ]);
    for (const e of [...hosts.entries, ...alive.entries, ...allocations.entries])
      this.clearInvalid(e.key, e.modRevision);
    for (const e of hosts.entries) {
      const name = this.nameOf(e.key, k.hosts.prefix);
      if ((this.hosts.get(name)?.rev ?? 0) < e.modRevision)
        this.hosts.set(name, { value: e.value, rev: e.modRevision });
      this.stale.add(name);
    }
    for (const e of alive.entries) {
      const name = this.nameOf(e.key, k.alive.prefix);
      if ((this.alive.get(name) ?? 0) < e.modRevision) this.alive.set(name, e.modRevision);
      this.stale.add(name);
    }
    for (const e of allocations.entries)
      this.setAllocation(this.nameOf(e.key, k.allocations.prefix), e.value, e.modRevision);
  }

  /** Re-reads hosts whose keys moved under a transaction. */
  async refresh(names: Iterable<string>): Promise<void> {
    const list = [...new Set(names)];
    const k = this.keys;
    const keys = list.flatMap((n) => [k.hosts.one(n), k.alive.one(n), k.allocations.one(n)]);
    const unreadable = new Set<string>();
    const { entries } = await readMany(this.store, keys, undefined, {
      onInvalid: (key, err, rev) => {
        unreadable.add(key);
        this.onInvalidRecord(key, err, rev);
      },
    });
    list.forEach((name, i) => {
      const read = entries.slice(i * 3, i * 3 + 3) as (Entry<unknown> | undefined)[];
      // A record that does not fit is marked and not taken into the view; a good one clears its mark.
      const [host, alive, allocation] = read.map((entry, j) => {
        if (!entry) return undefined;
        if (isValid([Host, HostLiveness, Allocation][j]!, entry.value)) {
          this.clearInvalid(entry.key, entry.modRevision);
          return entry;
        }
        const err = new NuboError('NUBO_STORE_CORRUPT', `${entry.key} does not fit its schema`);
        this.onInvalidRecord(entry.key, err, entry.modRevision);
        unreadable.add(entry.key);
        return undefined;
      });
      if (host) this.hosts.set(name, { value: host.value as Host, rev: host.modRevision });
      if (alive) this.alive.set(name, alive.modRevision);
      else if (!unreadable.has(k.alive.one(name))) this.alive.delete(name);
      if (allocation) this.setAllocation(name, allocation.value as Allocation, allocation.modRevision, true);
      else if (!unreadable.has(k.allocations.one(name))) this.allocations.delete(name);
      this.stale.add(name);
    });
  }

  private followPrefix<S extends TSchema>(
    prefix: string,
    schema: S,
    signal: AbortSignal,
    handle: (e: WatchEvent<Static<S>>) => void,
    onInvalid: OnInvalid = this.onInvalidRecord,
  ): { listed: Promise<void>; done: Promise<void> } {
    let listed!: () => void;
    const listedP = new Promise<void>((r) => {
      listed = r;
    });
    const done = follow(this.store, prefix, { schema, signal, onInvalid }, (e) => {
      if (e.type === 'reset') {
        // The prefix as it stands: a key it did not report as invalid is not (any more).
        // A mark newer than the list (a refresh read meanwhile) stays.
        const still = new Set(e.invalid);
        for (const [key, rev] of this.invalid)
          if (key.startsWith(prefix) && !still.has(key) && rev <= e.revision) {
            this.invalid.delete(key);
            this.stale.add(this.nameOf(key, prefix)); // its host's view is built again
          }
      } else this.clearInvalid(e.key, e.revision);
      handle(e);
      if (e.type === 'reset') listed();
    });
    return { listed: Promise.race([listedP, done]), done };
  }

  /** A host record that cannot be used: its host leaves placement (see `invalid`). */
  private readonly onInvalidRecord: OnInvalid = (key, err, modRevision) => {
    // A read older than what the view holds (a refresh racing the watch) says nothing new.
    if (modRevision <= this.validRevision(key) || modRevision <= (this.invalid.get(key) ?? 0)) return;
    this.log?.error({ err, key }, 'invalid record; its host takes no placements until it is fixed');
    this.invalid.set(key, modRevision);
    for (const prefix of [this.keys.hosts.prefix, this.keys.alive.prefix, this.keys.allocations.prefix])
      if (key.startsWith(prefix)) this.stale.add(this.nameOf(key, prefix));
  };

  /** A good record (or a delete) at `revision`: clears a mark that is not newer. */
  private clearInvalid(key: string, revision: number): void {
    const marked = this.invalid.get(key);
    if (marked !== undefined && marked <= revision) this.invalid.delete(key);
  }

  /** The revision of the good record the view holds for a key (0: none). */
  private validRevision(key: string): number {
    const k = this.keys;
    if (key.startsWith(k.hosts.prefix)) return this.hosts.get(this.nameOf(key, k.hosts.prefix))?.rev ?? 0;
    if (key.startsWith(k.alive.prefix)) return this.alive.get(this.nameOf(key, k.alive.prefix)) ?? 0;
    if (key.startsWith(k.allocations.prefix))
      return this.allocations.get(this.nameOf(key, k.allocations.prefix))?.rev ?? 0;
    return 0;
  }

  private hasInvalidRecord(name: string): boolean {
    if (this.invalid.size === 0) return false;
    const k = this.keys;
    return [k.hosts.one(name), k.alive.one(name), k.allocations.one(name)].some((key) =>
      this.invalid.has(key),
    );
  }

  private nameOf(key: string, prefix: string): string {
    return key.slice(prefix.length);
  }

  private onHost(e: WatchEvent<Host>): void {
    const prefix = this.keys.hosts.prefix;
    if (e.type === 'reset') {
      this.hosts.clear();
      for (const en of e.entries)
        this.hosts.set(this.nameOf(en.key, prefix), { value: en.value, rev: en.modRevision });
      this.allStale = true;
      return;
    }
    const name = this.nameOf(e.key, prefix);
    if (e.type === 'put') this.hosts.set(name, { value: e.entry.value, rev: e.revision });
    else this.hosts.delete(name);
    this.stale.add(name);
  }

  private onAlive(e: WatchEvent<HostLiveness>): void {
    const prefix = this.keys.alive.prefix;
    if (e.type === 'reset') {
      this.alive.clear();
      for (const en of e.entries) this.alive.set(this.nameOf(en.key, prefix), en.modRevision);
      this.allStale = true;
      return;
    }
    const name = this.nameOf(e.key, prefix);
    this.stale.add(name);
    if (e.type === 'put') this.alive.set(name, e.revision);
    else {
      this.alive.delete(name);
      this.onHostLost(name);
    }
  }

  private onAllocation(e: WatchEvent<Allocation>): void {
    const prefix = this.keys.allocations.prefix;
    if (e.type === 'reset') {
      const listed = new Set(e.entries.map((en) => this.nameOf(en.key, prefix)));
      // Gone while the watch was away (no older than the list): forgotten, not kept.
      for (const [name, a] of this.allocations)
        if (!listed.has(name) && a.rev <= e.revision) {
          this.allocations.delete(name);
          this.stale.add(name);
        }
      for (const en of e.entries) this.setAllocation(this.nameOf(en.key, prefix), en.value, en.modRevision);
    } else if (e.type === 'put') this.setAllocation(this.nameOf(e.key, prefix), e.entry.value, e.revision);
    else {
      const name = this.nameOf(e.key, prefix);
      this.allocations.delete(name);
      this.stale.add(name);
    }
  }

  private onImage(e: WatchEvent<Image>): void {
    const prefix = this.keys.images.prefix;
    if (e.type === 'reset') {
      this.images.clear();
      for (const en of e.entries) this.images.set(this.nameOf(en.key, prefix), en.value);
    } else if (e.type === 'put') this.images.set(this.nameOf(e.key, prefix), e.entry.value);
    else this.images.delete(this.nameOf(e.key, prefix));
  }

  /** Keeps the newest version: a watch event may arrive after our own commit recorded a later one. */
  private setAllocation(host: string, value: Allocation, rev: number, force = false): void {
    const known = this.allocations.get(host);
    if (!force && known && known.rev >= rev) return;
    this.allocations.set(host, { value, rev });
    this.stale.add(host);
  }
}

function scoreOf(view: HostView, policy: PlacementPolicy): number {
  return weigh(limitOf(view.host, policy), freeOf(view, policy), policy);
}
