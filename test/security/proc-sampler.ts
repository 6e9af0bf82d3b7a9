import { readdirSync, readFileSync } from 'node:fs';

/**
 * Reads every process's command line (/proc/<pid>/cmdline) every few ms and
 * remembers any that contains one of the secrets (as text, or hex-encoded).
 */
export class CmdlineSampler {
  readonly hits: string[] = [];
  samples = 0;
  commandLines = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly secrets: string[]) {}

  start(everyMs = 5): this {
    this.timer = setInterval(() => this.sample(), everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    this.samples++;
    const needles = this.secrets.flatMap((s) => [s, Buffer.from(s).toString('hex')]);
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let line: string;
      try {
        line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        continue; // gone meanwhile
      }
      this.commandLines.add(line.slice(0, 80));
      if (needles.some((n) => line.includes(n))) this.hits.push(`${pid}: ${line}`);
    }
  }
}
