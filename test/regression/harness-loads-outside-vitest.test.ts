// The benchmarks load the test harness (`@nubo/test`) with plain node, outside
// vitest. A helper that imports vitest, exported from the harness's index,
// made every benchmark fail at start ("Vitest failed to access its internal
// state"); such helpers live in `@nubo/test/vitest`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('imports @nubo/test in plain node, as the benchmarks do', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "const t = await import('@nubo/test'); console.log(typeof t.EtcdCluster);",
    ],
    { cwd: new URL('../..', import.meta.url) },
  );
  expect(stdout.trim()).toBe('function');
});
