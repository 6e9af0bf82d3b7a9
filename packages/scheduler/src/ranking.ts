interface Ranked {
  name: string;
  score: number;
}

/** Higher score first; equal scores by name. */
function before(a: Ranked, b: Ranked): boolean {
  return a.score > b.score || (a.score === b.score && a.name < b.name);
}

/**
 * Hosts in the order the weigher prefers them, kept sorted as scores change:
 * placing a VM walks from the front to the first host that passes the
 * filters (usually the first), and re-ranks only the host it reserved on.
 * A batch of V VMs over H hosts costs about V·log H instead of V·H.
 */
export class HostRanking {
  private readonly order: Ranked[];
  private readonly scores = new Map<string, number>();

  constructor(entries: Ranked[]) {
    this.order = [...entries].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    for (const e of entries) this.scores.set(e.name, e.score);
  }

  /** The first name, in preference order, that `accept` takes. */
  first(accept: (name: string) => boolean): string | undefined {
    for (const r of this.order) if (accept(r.name)) return r.name;
    return undefined;
  }

  /** Moves a host to where its new score puts it (a host not ranked is left out). */
  update(name: string, score: number): void {
    if (this.scores.has(name)) this.set(name, score);
  }

  /** Ranks a host at this score, adding it if it is new. */
  set(name: string, score: number): void {
    if (this.scores.get(name) === score) return;
    this.remove(name);
    const entry = { name, score };
    this.order.splice(this.insertionPoint(entry), 0, entry);
    this.scores.set(name, score);
  }

  remove(name: string): void {
    const old = this.scores.get(name);
    if (old === undefined) return;
    this.order.splice(this.indexOf({ name, score: old }), 1);
    this.scores.delete(name);
  }

  private indexOf(entry: Ranked): number {
    const i = this.insertionPoint(entry);
    return this.order[i]?.name === entry.name ? i : this.order.findIndex((r) => r.name === entry.name);
  }

  /** Index of the first element not before `entry` (binary search). */
  private insertionPoint(entry: Ranked): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.order[mid]!, entry)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
