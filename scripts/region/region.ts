// A whole region on this machine: etcd, the services, the one-machine network
// wiring, the guest image and an admin. Used by `npm start` (scripts/region.ts)
// and by the end-to-end test, so both run the same thing.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureLibvirtd, type LibvirtDaemons } from '@nubo/host';
import { keyLayout, Store, Vm } from '@nubo/shared';
import { EtcdCluster, freePort } from '../../test/harness/index.js';
import { bootstrapAdmin } from './admin.js';
import { shQuiet } from './exec.js';
import { RegionGlue } from './glue.js';
import { buildGuestImage, placeholderImage, placeInFileStore, registerImage } from './image.js';
import { setUpWiring, tearDownWiring } from './network.js';
import { type DriverChoice, makePlan, type RegionPlan } from './plan.js';
import { serviceSpecs } from './service-specs.js';
import { Services, type Started, waitForHttp } from './services.js';

export interface RegionOptions {
  driver?: DriverChoice;
  /** Prefer this API port when it is free (npm start: 8080). */
  apiPort?: number;
  /** Seconds between scrub runs (a deleted VM with grace 0 is scrubbed at the next run). */
  scrubIntervalSeconds?: number;
  say?: (line: string) => void;
}

export interface RegionInfo {
  plan: RegionPlan;
  etcd: string;
  apiUrl: string;
  adminToken: string;
  imageId?: string;
  started: Started[];
  /** Components whose package is not built: the region runs without them. */
  missing: string[];
}

export class Region {
  private etcd?: EtcdCluster;
  private store?: Store;
  private services?: Services;
  private glue?: RegionGlue;
  private libvirtd?: LibvirtDaemons;
  private wired = false;
  plan?: RegionPlan;

  constructor(private readonly options: RegionOptions = {}) {}

  private say(line: string): void {
    (this.options.say ?? console.log)(line);
  }

  async start(): Promise<RegionInfo> {
    const plan = await makePlan(this.options.driver ? { driver: this.options.driver } : {});
    this.plan = plan;
    const libvirt = plan.driver.kind === 'libvirt';
    this.etcd = await EtcdCluster.start();
    const etcd = this.etcd.endpoint(0);
    this.store = new Store({ endpoints: [etcd] });
    await this.store.put(`${keyLayout().prefix}region`, {
      name: 'local',
      startedAt: new Date().toISOString(),
      etcd,
    });
    this.say(`etcd            ${etcd}`);

    if (libvirt) {
      this.libvirtd = await ensureLibvirtd({ logDir: join(plan.runDir, 'logs') });
      this.say(
        `libvirtd        ${this.libvirtd.started.length ? `started (pids ${this.libvirtd.started.join(', ')})` : 'already running'}`,
      );
      await setUpWiring(plan);
      this.wired = true;
    }
    const ports = {
      api: await portOrFree(this.options.apiPort),
      metadata: await freePort(),
      proxy: await freePort(),
    };
    const specs = serviceSpecs(plan, etcd, ports, this.options.scrubIntervalSeconds ?? 10);
    this.services = new Services(join(plan.runDir, 'logs'));
    const started: Started[] = [];
    const missing: string[] = [];
    for (const spec of specs) {
      const s = this.services.start(spec);
      if (s) started.push(s);
      else missing.push(spec.name);
      this.say(
        s
          ? `${spec.name.padEnd(15)} pid ${s.pid}, log ${s.log}`
          : `${spec.name.padEnd(15)} NOT BUILT YET (${spec.main} missing): the region runs without it`,
      );
    }
    if (!libvirt) this.say(`${'podnet'.padEnd(15)} not started: the fake driver has no network to route`);
    this.glue = new RegionGlue(this.store, plan, (what, err) =>
      this.say(`region glue (${what}): ${err instanceof Error ? err.message : String(err)}`),
    );
    this.glue.start();

    const apiUrl = `http://127.0.0.1:${ports.api}`;
    if (missing.includes('api')) throw new Error('the API is not built: run npm run build');
    await waitForHttp(`${apiUrl}/healthz`);
    const env = { NUBO_ETCD_ENDPOINTS: etcd };
    const adminToken = await bootstrapAdmin(env);
    const info: RegionInfo = { plan, etcd, apiUrl, adminToken, started, missing };
    if (libvirt) {
      const image = await buildGuestImage((line) => this.say(`  ${line}`));
      const file = await placeInFileStore(image, join(plan.runDir, 'files'));
      info.imageId = await registerImage(apiUrl, adminToken, file);
      this.say(`guest image     ${image.dir} → image debian-12 (${info.imageId})`);
    } else {
      const file = await placeholderImage(join(plan.runDir, 'files'));
      if (file) info.imageId = await registerImage(apiUrl, adminToken, file);
      this.say(
        file
          ? `guest image     none (fake driver): an empty placeholder is registered as debian-12 (${info.imageId})`
          : 'guest image     none (fake driver, and no qemu-img to make a placeholder): register an image yourself',
      );
    }
    return info;
  }

  /** Stops everything this run started and removes everything it made; safe to call twice. */
  async stop(): Promise<void> {
    const plan = this.plan;
    await this.glue?.stop();
    if (plan?.driver.kind === 'libvirt' && this.store) await this.destroyDomains().catch(() => undefined);
    await this.services?.stopAll();
    if (plan && this.wired) await tearDownWiring(plan);
    this.wired = false;
    await this.store?.close();
    await this.etcd?.dispose();
    await this.libvirtd?.stop();
    if (plan) await rm(plan.runDir, { recursive: true, force: true });
    this.glue = this.services = this.store = this.etcd = this.libvirtd = undefined;
  }

  /** Every domain of a VM this region knows, destroyed and undefined. */
  private async destroyDomains(): Promise<void> {
    const { entries } = await this.store!.list(keyLayout().vms.prefix, Vm);
    for (const { value } of entries) {
      const name = `nubo-${value.id}`;
      await shQuiet('/usr/bin/virsh', ['-c', 'qemu:///system', 'destroy', name]);
      await shQuiet('/usr/bin/virsh', ['-c', 'qemu:///system', 'undefine', '--nvram', name]);
    }
  }
}

async function portOrFree(port: number | undefined): Promise<number> {
  if (port === undefined) return freePort();
  const busy = await fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    () => false,
  );
  return busy ? freePort() : port;
}
