import { NuboError } from '@nubo/shared';
import { CommandError, runCommand } from '../../images/command.js';

export const VIRSH = '/usr/bin/virsh';

/** The URIs Nubo uses: the real QEMU driver, or libvirt's in-process test driver. */
export type LibvirtUri = 'qemu:///system' | 'test:///default' | (string & {});

const NOT_FOUND = /failed to get domain|Domain not found|no domain with matching/i;

/**
 * `virsh -c <uri> <command> <args...>`: one process per call, arguments as an
 * array (never a shell). libvirt's errors become NUBO_NOT_FOUND for a missing
 * domain and NUBO_HYPERVISOR otherwise, with libvirt's own words.
 */
export class Virsh {
  constructor(
    readonly uri: LibvirtUri,
    private readonly virsh = VIRSH,
  ) {}

  async run(...args: string[]): Promise<string> {
    try {
      const { stdout } = await runCommand(this.virsh, ['-c', this.uri, ...args], { timeoutMs: 60_000 });
      return stdout;
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      const said = err.stderr
        .replace(/^error: /gm, '')
        .replace(/\s+/g, ' ')
        .trim();
      const code = NOT_FOUND.test(said) ? 'NUBO_NOT_FOUND' : 'NUBO_HYPERVISOR';
      throw new NuboError(code, `virsh ${args[0]}: ${said}`, { cause: err });
    }
  }

  /** Like run(), but a missing domain yields undefined. */
  async runIfExists(...args: string[]): Promise<string | undefined> {
    try {
      return await this.run(...args);
    } catch (err) {
      if (err instanceof NuboError && err.code === 'NUBO_NOT_FOUND') return undefined;
      throw err;
    }
  }
}

/** One row of `virsh list --all`: ` Id   Name   State` with `-` as the id of a stopped domain. */
export function parseVirshList(stdout: string): { name: string; state: string }[] {
  const rows: { name: string; state: string }[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+|-)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('Id ')) continue;
    rows.push({ name: m[2]!, state: m[3]! });
  }
  return rows;
}
