// CPU time of the etcd member the benchmark started, read from /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs';

/** The PID of the etcd process listening on `endpoint`, or undefined. */
export function etcdPidOf(endpoint: string): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.includes(`--listen-client-urls=${endpoint}`)) return Number(name);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

/** User + system CPU seconds a process has used (0 when unknown). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return 0;
  }
}
