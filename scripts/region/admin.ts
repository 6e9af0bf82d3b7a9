// The region's first admin, made by the API's own `bootstrap-admin` command.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './services.js';

/** Creates the admin and returns its token (printed once by the API, never logged). */
export async function bootstrapAdmin(env: Record<string, string>, name = 'admin'): Promise<string> {
  const main = join(ROOT, 'packages', 'api', 'dist', 'main.js');
  const { stdout } = await promisify(execFile)(process.execPath, [main, 'bootstrap-admin', '--name', name], {
    env: { ...process.env, ...env },
  });
  const token = stdout.trim();
  if (!token) throw new Error('bootstrap-admin printed no token');
  return token;
}
