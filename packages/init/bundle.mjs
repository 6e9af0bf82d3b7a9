// Bundles the agent into one file with no dependencies (dist/nubo-init.cjs)
// and copies the systemd unit and the init script next to it.
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const dist = join(here, 'dist');
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.ts')],
  outfile: join(dist, 'nubo-init.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(join(dist, 'nubo-init.cjs'), 0o755);
for (const file of ['nubo-init.service', 'nubo-init.sh'])
  copyFileSync(join(here, 'files', file), join(dist, file));
