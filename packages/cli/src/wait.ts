import { setTimeout as sleep } from 'node:timers/promises';
import { isStable, type VmState } from '@nubo/shared';
import type { CliContext } from './context.js';
import { CliError } from './io.js';

interface VmView {
  id: string;
  name: string;
  state: VmState;
  reason?: string;
}

/**
 * Follows a VM until it reaches a stable state, with a live progress line on
 * stderr (rewritten in place on a terminal, one line per change otherwise).
 * Ending in `unresourced` is a failure, with the reason.
 */
export async function waitForVm(
  cli: CliContext,
  path: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<VmView> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 600_000);
  const tty = cli.io.stderr.isTTY === true;
  let last = '';
  for (;;) {
    const { vm } = await cli.client().get<{ vm: VmView }>(path);
    const line = `${vm.name}: ${vm.state}`;
    const elapsed = ((Date.now() - started) / 1000).toFixed(0);
    if (tty) cli.io.stderr.write(`\r\x1b[K${line} (${elapsed}s)`);
    else if (line !== last) cli.io.stderr.write(`${line}\n`);
    last = line;
    if (isStable(vm.state)) {
      if (tty) cli.io.stderr.write('\n');
      if (vm.state === 'unresourced')
        throw new CliError(`${vm.name} is unresourced: ${vm.reason ?? 'no reason given'}`);
      return vm;
    }
    if (Date.now() > deadline) {
      if (tty) cli.io.stderr.write('\n');
      throw new CliError(`${vm.name} is still ${vm.state} after ${elapsed}s`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}
