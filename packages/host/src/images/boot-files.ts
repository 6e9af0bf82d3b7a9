import { chmod, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fieldError } from '@nubo/shared';
import { copyHashing } from './copy.js';

/**
 * Direct kernel boot: an image that carries its kernel, initrd and command
 * line beside the disk boots without firmware reading a boot loader and the
 * kernel from the disk, which is seconds under emulation (TCG). The disk stays
 * bootable on its own; these files are an optional fast path.
 */
export interface DirectBoot {
  kernel: string;
  initrd?: string;
  cmdline: string;
}

/**
 * `<image file>.boot.json` in the file store, beside the image:
 * `{ "kernel": "<file>", "initrd": "<file>", "cmdline": "...", "kernelSha256": "...", "initrdSha256": "..." }`.
 * File names are plain names in the same directory; checksums are checked when given.
 */
export interface BootSidecar {
  kernel: string;
  initrd?: string;
  cmdline: string;
  kernelSha256?: string;
  initrdSha256?: string;
}

export const BOOT_SIDECAR_SUFFIX = '.boot.json';
const PLAIN_NAME = /^[A-Za-z0-9._+-]{1,255}$/;
/** Printable ASCII only: the line goes to QEMU's -append, nothing else. */
const CMDLINE = /^[\x20-\x7e]{0,1024}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The image's sidecar, checked; undefined when the image has none. */
export async function readBootSidecar(imagePath: string): Promise<BootSidecar | undefined> {
  let text: string;
  try {
    text = await readFile(`${imagePath}${BOOT_SIDECAR_SUFFIX}`, 'utf8');
  } catch {
    return undefined;
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw fieldError('NUBO_VALIDATION', '/boot', `${BOOT_SIDECAR_SUFFIX} is not JSON`);
  }
  const name = (field: string, optional: boolean) => {
    const v = raw[field];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || !PLAIN_NAME.test(v) || v === '.' || v === '..')
      throw fieldError('NUBO_VALIDATION', `/boot/${field}`, 'must be a file name beside the image');
    return v;
  };
  const sha = (field: string) => {
    const v = raw[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !SHA256.test(v))
      throw fieldError('NUBO_VALIDATION', `/boot/${field}`, 'must be a lower-case hex sha256');
    return v;
  };
  const cmdline = raw.cmdline ?? '';
  if (typeof cmdline !== 'string' || !CMDLINE.test(cmdline))
    throw fieldError('NUBO_VALIDATION', '/boot/cmdline', 'must be printable ASCII, at most 1024 characters');
  const sidecar: BootSidecar = { kernel: name('kernel', false)!, cmdline };
  const initrd = name('initrd', true);
  const kernelSha256 = sha('kernelSha256');
  const initrdSha256 = sha('initrdSha256');
  if (initrd) sidecar.initrd = initrd;
  if (kernelSha256) sidecar.kernelSha256 = kernelSha256;
  if (initrdSha256) sidecar.initrdSha256 = initrdSha256;
  return sidecar;
}

/** Copies the kernel and initrd next to the imported image (`<base>.kernel`, `<base>.initrd`). */
export async function importBootFiles(
  imagePath: string,
  sidecar: BootSidecar,
  base: string,
): Promise<DirectBoot> {
  const dir = dirname(imagePath);
  const kernel = await copyChecked(
    join(dir, sidecar.kernel),
    `${base}.kernel`,
    sidecar.kernelSha256,
    'kernel',
  );
  const boot: DirectBoot = { kernel, cmdline: sidecar.cmdline };
  if (sidecar.initrd)
    boot.initrd = await copyChecked(
      join(dir, sidecar.initrd),
      `${base}.initrd`,
      sidecar.initrdSha256,
      'initrd',
    );
  return boot;
}

async function copyChecked(from: string, to: string, sha256: string | undefined, field: string) {
  const tmp = `${to}.importing`;
  try {
    const got = await copyHashing(from, tmp).catch((err: Error) => {
      throw fieldError('NUBO_VALIDATION', `/boot/${field}`, `cannot read ${field}: ${err.message}`);
    });
    if (sha256 && got.sha256 !== sha256)
      throw fieldError('NUBO_VALIDATION', `/boot/${field}Sha256`, `the file's sha256 is ${got.sha256}`);
    await chmod(tmp, 0o444);
    await rename(tmp, to);
    return to;
  } finally {
    await rm(tmp, { force: true });
  }
}
