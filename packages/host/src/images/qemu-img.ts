import { NuboError } from '@nubo/shared';
import { runCommand } from './command.js';

export interface QemuImgInfo {
  format: string;
  virtualSize: number;
  backingFilename?: string;
  backingFormat?: string;
}

export const QEMU_IMG = '/usr/bin/qemu-img';
const GIB = 1024 ** 3;

/** `qemu-img info` of one file; `-U` reads it even while a running VM holds its lock. */
export async function imageInfo(path: string, format?: string): Promise<QemuImgInfo> {
  const args = ['info', '-U', '--output=json', ...(format ? ['-f', format] : []), path];
  const { stdout } = await runCommand(QEMU_IMG, args);
  const info = JSON.parse(stdout) as Record<string, unknown>;
  return {
    format: String(info.format),
    virtualSize: Number(info['virtual-size']),
    backingFilename: info['backing-filename'] as string | undefined,
    backingFormat: info['backing-filename-format'] as string | undefined,
  };
}

/** A qcow2 overlay on `base`: writes go to the overlay, the base is never touched. */
export async function createOverlayFile(
  overlay: string,
  base: { path: string; format: string },
  sizeBytes: number,
): Promise<void> {
  await runCommand(QEMU_IMG, [
    'create',
    '-q',
    '-f',
    'qcow2',
    '-F',
    base.format,
    '-b',
    base.path,
    overlay,
    String(sizeBytes),
  ]);
}

export async function growImage(path: string, sizeBytes: number): Promise<void> {
  await runCommand(QEMU_IMG, ['resize', '-q', '-f', 'qcow2', path, String(sizeBytes)]);
}

export function gibToBytes(sizeGiB: number): number {
  if (!Number.isInteger(sizeGiB) || sizeGiB < 1)
    throw new NuboError('NUBO_VALIDATION', `diskGiB: must be a whole number of GiB >= 1, not ${sizeGiB}`, {
      details: [{ field: '/diskGiB', message: 'must be a whole number >= 1' }],
    });
  return sizeGiB * GIB;
}
