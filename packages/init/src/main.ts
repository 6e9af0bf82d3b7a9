import { startupSnapshot } from 'node:v8';
import { runAgent } from './agent.js';
import { parseOptions, UsageError } from './options.js';

/**
 * `nubo-init [--root DIR] [--url URL] [--user NAME] [--budget SECONDS]`:
 * prints one JSON report on stdout and exits 0, or a reason on stderr and
 * exits 1 (2 for bad usage). It never waits longer than its budget.
 */
async function main(): Promise<void> {
  const log = (msg: string) => process.stderr.write(`nubo-init: ${msg}\n`);
  try {
    const options = parseOptions(process.argv.slice(2));
    const report = await runAgent(options, log);
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } catch (err) {
    log(`failed: ${(err as Error).message}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

// Built into a V8 startup snapshot (the guest image does, with the guest's own
// Node), main runs when the snapshot is loaded, not while it is made.
if (startupSnapshot?.isBuildingSnapshot()) startupSnapshot.setDeserializeMainFunction(() => void main());
else void main();
