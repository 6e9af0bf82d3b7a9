// The fault injector: one fault at a time, each a SIGKILL of a random daemon,
// of the scheduler leader, or of one etcd member, restarted after a random pause.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Rng } from './random.js';
import type { ChaosRegion, Daemon, Role } from './region-processes.js';

export interface FaultLog {
  injected: number;
  byKind: Record<string, number>;
  /** One line per fault, printed with the seed when the test fails. */
  lines: string[];
}

type Kind = 'host' | 'api' | 'scheduler-leader' | 'scheduler' | 'etcd-member';
const KINDS: Kind[] = ['host', 'host', 'api', 'scheduler-leader', 'scheduler', 'etcd-member'];

export async function injectFaults(region: ChaosRegion, rng: Rng, until: number): Promise<FaultLog> {
  const log: FaultLog = { injected: 0, byKind: {}, lines: [] };
  const t0 = Date.now();
  while (Date.now() < until) {
    const kind = rng.pick(KINDS);
    const down = rng.int(300, 2500);
    const what = await oneFault(region, rng, kind, down);
    log.injected++;
    log.byKind[kind] = (log.byKind[kind] ?? 0) + 1;
    log.lines.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${kind} ${what} down ${down} ms`);
    await sleep(rng.int(200, 1200));
  }
  return log;
}

async function oneFault(region: ChaosRegion, rng: Rng, kind: Kind, downMs: number): Promise<string> {
  if (kind === 'etcd-member') {
    const i = rng.int(0, 2);
    await region.etcd.stopMember(i);
    await sleep(downMs);
    await region.etcd.startMember(i);
    return `m${i}`;
  }
  const daemon = kind === 'scheduler-leader' ? await leader(region) : randomOf(region, rng, kind);
  if (!daemon) return 'none (no leader elected)';
  await region.kill(daemon);
  await sleep(downMs);
  region.spawn(daemon);
  return daemon.name;
}

function randomOf(region: ChaosRegion, rng: Rng, role: Role): Daemon {
  return rng.pick(region.daemons.filter((d) => d.role === role));
}

/** The scheduler process that holds the election key now. */
async function leader(region: ChaosRegion): Promise<Daemon | undefined> {
  const entry = await region.store.get(region.keys.elections.one('scheduler')).catch(() => undefined);
  const pid = (entry?.value as { pid?: number } | undefined)?.pid;
  return region.daemons.find((d) => d.role === 'scheduler' && d.child?.pid === pid);
}
