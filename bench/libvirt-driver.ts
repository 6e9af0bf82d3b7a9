// Benchmark of the libvirt driver on this machine. Anchors: a bare `virsh -c
// test:///default list --all` (the cost of one virsh process, which every
// driver step pays) and the recipes' figure of about 2 s for the busybox guest
// to reach /init under TCG. Run: node --import tsx bench/libvirt-driver.ts
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLibvirtd, FsImageStore, LibvirtDriver, VIRSH } from '@nubo/host';
import { randomMac } from '@nubo/shared';

const ROUNDS = 20;
const BOOTS = 3;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeIt(n: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(ms(t0));
  }
  return median(times);
}

const guestDir = '/var/cache/nubo/guest';
execFileSync('/bin/bash', [join(import.meta.dirname, '../scripts/guest/build.sh'), guestDir]);
const root = await mkdtemp(join(tmpdir(), 'nubo-bench-libvirt-'));
const daemons = await ensureLibvirtd({ logDir: join(root, 'daemons') });
try {
  const store = new FsImageStore({
    fileStoreDir: guestDir,
    imagesDir: join(root, 'images'),
    overlaysDir: join(root, 'disks'),
  });
  const image = await store.import({ id: randomUUID(), source: 'guest.raw', format: 'raw' });
  const testDriver = new LibvirtDriver({ uri: 'test:///default', images: store, logDir: join(root, 'logs') });
  const driver = new LibvirtDriver({ uri: 'qemu:///system', images: store, logDir: join(root, 'logs') });

  const anchor = await timeIt(ROUNDS, () => execFileSync(VIRSH, ['-c', 'test:///default', 'list', '--all']));
  const testList = await timeIt(ROUNDS, () => testDriver.list());
  const realList = await timeIt(ROUNDS, () => driver.list());

  const define: number[] = [];
  const boot: number[] = [];
  const stop: number[] = [];
  const destroy: number[] = [];
  for (let i = 0; i < BOOTS; i++) {
    const spec = {
      vmId: randomUUID(),
      hostname: 'bench',
      cpus: 1,
      ramMiB: 256,
      diskGiB: 1,
      image,
      nics: [{ mac: randomMac(), networkId: randomUUID() }],
    };
    let t0 = process.hrtime.bigint();
    await driver.define(spec);
    define.push(ms(t0));
    t0 = process.hrtime.bigint();
    await driver.start(spec.vmId);
    while (
      !(await readFile(driver.serialLog(spec.vmId), 'utf8').catch(() => '')).includes('NUBO-GUEST: ready')
    )
      await new Promise((r) => setTimeout(r, 50));
    boot.push(ms(t0));
    t0 = process.hrtime.bigint();
    await driver.stop(spec.vmId);
    stop.push(ms(t0));
    t0 = process.hrtime.bigint();
    await driver.destroy(spec.vmId);
    destroy.push(ms(t0));
  }
  console.log(
    `anchor: virsh -c test:///default list --all        ${anchor.toFixed(1)} ms (median of ${ROUNDS})`,
  );
  console.log(`driver.list() on test:///default                  ${testList.toFixed(1)} ms`);
  console.log(`driver.list() on qemu:///system                   ${realList.toFixed(1)} ms`);
  console.log(
    `define (overlay + define --validate)              ${median(define).toFixed(0)} ms (median of ${BOOTS})`,
  );
  console.log(
    `start -> "NUBO-GUEST: ready" on serial (TCG)      ${median(boot).toFixed(0)} ms (anchor: ~2000 ms to /init)`,
  );
  console.log(`stop by ACPI until shut off                       ${median(stop).toFixed(0)} ms`);
  console.log(`destroy (undefine + overlay + log)                ${median(destroy).toFixed(0)} ms`);
} finally {
  await daemons.stop();
  await rm(root, { recursive: true, force: true });
}
