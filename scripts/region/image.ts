// The guest image: built (or found in the cache) by scripts/guest-image/build.sh,
// put in the region's file store and registered through the API as a public
// image named debian-12, which the host daemon imports on first use.
import { spawn } from 'node:child_process';
import { copyFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from './exec.js';
import { ROOT } from './services.js';

export const IMAGE_NAME = 'debian-12';

export interface GuestImage {
  dir: string;
  file: string;
  sha256: string;
  /** Direct kernel boot (docs/drivers.md): files in `dir`, their checksums, the command line. */
  boot?: { kernel: string; kernelSha256: string; initrd: string; initrdSha256: string; cmdline: string };
}

/** Runs the builder; its progress lines go to `onLine`. */
export async function buildGuestImage(onLine: (line: string) => void): Promise<GuestImage> {
  const script = join(ROOT, 'scripts', 'guest-image', 'build.sh');
  const child = spawn('/bin/bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.trim()) onLine(line.trim());
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`guest image build failed (exit ${code}); see the lines above`);
  const dir = out.trim().split('\n').pop() ?? '';
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    file: string;
    sha256: string;
    cmdline: string;
    /** The kernel for direct boot: uncompressed (vmlinux), booted through its PVH entry. */
    kernelFile?: string;
    kernelSha256?: string;
    initrd?: string;
    initrdSha256?: string;
  };
  const image: GuestImage = { dir, file: join(dir, manifest.file), sha256: manifest.sha256 };
  const { kernelFile, kernelSha256, initrd, initrdSha256, cmdline } = manifest;
  if (kernelFile && kernelSha256 && initrd && initrdSha256)
    image.boot = { kernel: kernelFile, kernelSha256, initrd, initrdSha256, cmdline };
  return image;
}

/**
 * The fake driver never boots anything, but a VM still names an image: an
 * empty 1 GiB qcow2 (qemu-img, no root needed) stands in, so the same
 * commands work. Undefined when qemu-img is not installed.
 */
export async function placeholderImage(fileStoreDir: string): Promise<string | undefined> {
  const name = `${IMAGE_NAME}-placeholder.qcow2`;
  await mkdir(join(fileStoreDir, 'public'), { recursive: true });
  const made = await new Promise<boolean>((resolve) => {
    const child = spawn(
      'qemu-img',
      ['create', '-q', '-f', 'qcow2', join(fileStoreDir, 'public', name), '1G'],
      {
        stdio: 'ignore',
      },
    );
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
  return made ? name : undefined;
}

/**
 * Puts the image in the file store's public area (hard links when it can),
 * with its kernel, initrd and `<image>.boot.json` beside it, so hosts boot it
 * directly (no firmware reading a boot loader from the disk).
 */
export async function placeInFileStore(image: GuestImage, fileStoreDir: string): Promise<string> {
  const stem = `${IMAGE_NAME}-${image.sha256.slice(0, 12)}`;
  const name = `${stem}.qcow2`;
  const dir = join(fileStoreDir, 'public');
  await mkdir(dir, { recursive: true });
  await place(image.file, join(dir, name));
  if (image.boot) {
    const { kernel, kernelSha256, initrd, initrdSha256, cmdline } = image.boot;
    await place(join(image.dir, kernel), join(dir, `${stem}.vmlinux`));
    await place(join(image.dir, initrd), join(dir, `${stem}.initrd.gz`));
    const sidecar = {
      kernel: `${stem}.vmlinux`,
      kernelSha256,
      initrd: `${stem}.initrd.gz`,
      initrdSha256,
      cmdline,
    };
    await writeFile(join(dir, `${name}.boot.json`), `${JSON.stringify(sidecar)}\n`);
  }
  return name;
}

async function place(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  await link(from, to).catch(() => copyFile(from, to));
}

/** Registers the stored file as a public image and waits until the API has checked it. */
export async function registerImage(apiUrl: string, token: string, file: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const res = await fetch(`${apiUrl}/v1/images`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: IMAGE_NAME, format: 'qcow2', file }),
  });
  if (res.status !== 201) throw new Error(`POST /v1/images: ${res.status} ${await res.text()}`);
  const { image } = (await res.json()) as { image: { id: string } };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const got = await fetch(`${apiUrl}/v1/images/${image.id}`, { headers });
    const { image: now } = (await got.json()) as { image: { state: string; reason?: string } };
    if (now.state === 'ready') return image.id;
    if (now.state === 'failed') throw new Error(`image import failed: ${now.reason ?? 'no reason given'}`);
    await sleep(200);
  }
  throw new Error('image import did not finish within 120 s');
}
