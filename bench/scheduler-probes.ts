// Measuring helpers for bench/scheduler-placement.ts: etcd round-trips per
// client, the raw-etcd anchor, percentiles.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import type { Store } from '@nubo/shared';

const KV_CALLS = ['range', 'put', 'txn', 'deleteRange'] as const;

/** Counts the etcd KV round-trips a Store makes (and how many were in flight at once). */
export class RpcCounter {
  calls = 0;
  inFlight = 0;
  /** Sum of in-flight counts seen at each call's start, for the mean concurrency. */
  private inFlightSum = 0;

  constructor(store: Store) {
    const kv = store.client.kv as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of KV_CALLS) {
      const original = kv[name]!.bind(kv);
      kv[name] = (...args: unknown[]) => {
        this.calls++;
        this.inFlightSum += ++this.inFlight;
        return original(...args).finally(() => this.inFlight--);
      };
    }
  }

  snapshot(): { calls: number; inFlightSum: number } {
    return { calls: this.calls, inFlightSum: this.inFlightSum };
  }

  /** Calls and mean concurrency since a snapshot. */
  since(s: { calls: number; inFlightSum: number }): { calls: number; meanInFlight: number } {
    const calls = this.calls - s.calls;
    return { calls, meanInFlight: calls ? (this.inFlightSum - s.inFlightSum) / calls : 0 };
  }
}

/** The anchor: single-key puts per second with `concurrency` in flight, for `ms`, and their latency. */
export async function rawPutsPerSecond(
  store: Store,
  prefix: string,
  concurrency: number,
  ms: number,
): Promise<{ rate: number; p50: number; p99: number }> {
  const value = randomBytes(300).toString('hex'); // about a VM record's size
  const took: number[] = [];
  const start = performance.now();
  const lane = async (lane: number) => {
    for (let i = 0; performance.now() - start < ms; i++) {
      const t = performance.now();
      await store.put(`${prefix}raw/${lane}/${i % 100}`, value);
      took.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => lane(i)));
  const rate = took.length / ((performance.now() - start) / 1000);
  await store.deletePrefix(`${prefix}raw/`);
  return { rate, p50: pct(took, 50), p99: pct(took, 99) };
}

export function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Per-VM intervals between two stamp maps (both by VM id). */
/** Per id in both maps (and in `only`, when given), `to` − `from`. */
export function between(
  from: Map<string, number>,
  to: Map<string, number>,
  only?: Map<string, unknown>,
): number[] {
  return [...to].flatMap(([id, t]) => (from.has(id) && (!only || only.has(id)) ? [t - from.get(id)!] : []));
}

/** Runs `work` for `n` items with at most `limit` at once. */
export async function limited(n: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < n; i = next++) await work(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}

/** The machine's 1/5/15-minute load averages (others' jobs share it). */
export function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}
