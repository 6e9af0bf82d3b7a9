import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireTool } from '@nubo/test';

const BUILD = fileURLToPath(new URL('../../../../scripts/guest/build.sh', import.meta.url));

/**
 * The tiny bootable guest (scripts/guest/build.sh), built once and cached in
 * /var/cache/nubo/guest: a raw disk whose serial console says
 * `NUBO-GUEST: ready` and which powers off on an ACPI power button.
 */
export async function tinyGuest(): Promise<{ dir: string; file: string }> {
  for (const tool of ['/usr/bin/syslinux', '/usr/bin/mcopy', '/usr/sbin/mkfs.vfat']) requireTool(tool);
  const dir = process.env.NUBO_GUEST_DIR ?? '/var/cache/nubo/guest';
  await promisify(execFile)('/bin/bash', [BUILD, dir], { timeout: 300_000 });
  return { dir, file: 'guest.raw' };
}
