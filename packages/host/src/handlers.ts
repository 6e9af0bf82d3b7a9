import type { Entry, HostRequest, HostRequestKind, Vm } from '@nubo/shared';
import { type DomainSpec, domainName, type HypervisorDriver } from './driver.js';

/** Entries already read (by the claim), by key; undefined: read and absent. */
export type KnownEntries = ReadonlyMap<string, Entry<unknown> | undefined>;

type Sizes = Pick<Vm, 'cpus' | 'ramMiB' | 'diskGiB'>;

/** What a handler needs from the daemon. */
export interface ActContext {
  me: string;
  driver: HypervisorDriver;
  /** The VM's domain spec; `known` saves reading what the claim has read already. */
  spec: (vm: Vm, sizes?: Sizes, known?: KnownEntries) => Promise<DomainSpec>;
}

/** The same spec source, given what the claim read. */
export function withKnown(spec: ActContext['spec'], known: KnownEntries): ActContext['spec'] {
  return (vm, sizes) => spec(vm, sizes, known);
}

/** One kind of host request: when it applies, what it does to the hypervisor, where it leaves the VM. */
export interface Handler {
  applies(vm: Vm, req: HostRequest, me: string): boolean;
  act(ctx: ActContext, vm: Vm, req: HostRequest): Promise<void>;
  /** The VM's record afterwards; undefined leaves it as it is. */
  after(vm: Vm, req: HostRequest, me: string): Vm | undefined;
  /** Whether a failure may move the VM to `unresourced` (scrubbing VMs only go on to `closed`). */
  canFail: boolean;
}

const now = () => new Date().toISOString();

function withState(vm: Vm, state: Vm['state']): Vm {
  const { reason: _r, ...rest } = vm;
  return { ...rest, state, updatedAt: now() };
}

async function isDefined(
  driver: HypervisorDriver,
  vmId: string,
): Promise<{ defined: boolean; running: boolean }> {
  const domain = (await driver.list()).find((d) => d.name === domainName(vmId));
  return { defined: !!domain, running: domain?.power === 'running' };
}

/** Starts the VM, defining it first if the domain is gone (a restore after the host was rebuilt). */
async function ensureRunning(ctx: ActContext, vm: Vm, reboot: boolean): Promise<void> {
  const { defined, running } = await isDefined(ctx.driver, vm.id);
  if (!defined) await ctx.driver.define(await ctx.spec(vm));
  if (running && reboot) await ctx.driver.reboot(vm.id);
  else if (!running) await ctx.driver.start(vm.id);
}

const onThisHost = (vm: Vm, me: string) => vm.host === me;

export const HANDLERS: Readonly<Record<HostRequestKind, Handler>> = {
  build: {
    applies: (vm, _r, me) => vm.state === 'building' && onThisHost(vm, me),
    act: async (ctx, vm) => {
      await ctx.driver.define(await ctx.spec(vm));
      await ctx.driver.start(vm.id);
    },
    after: (vm) => withState(vm, 'running'),
    canFail: true,
  },
  start: {
    applies: (vm, _r, me) => vm.state === 'restarting' && onThisHost(vm, me),
    act: (ctx, vm) => ensureRunning(ctx, vm, false),
    after: (vm) => withState(vm, 'running'),
    canFail: true,
  },
  restart: {
    applies: (vm, _r, me) => vm.state === 'restarting' && onThisHost(vm, me),
    act: (ctx, vm) => ensureRunning(ctx, vm, true),
    after: (vm) => withState(vm, 'running'),
    canFail: true,
  },
  stop: {
    applies: (vm, _r, me) => vm.state === 'quiescing' && onThisHost(vm, me),
    act: (ctx, vm) => ctx.driver.stop(vm.id),
    after: (vm) => withState(vm, 'quiesced'),
    canFail: true,
  },
  resize: {
    applies: (vm, _r, me) => vm.state === 'updating' && !!vm.pending && onThisHost(vm, me),
    act: async (ctx, vm) => ctx.driver.resize(await ctx.spec(vm, vm.pending)),
    after: (vm) => {
      const { pending, resumeState, ...rest } = withState(vm, vm.resumeState ?? 'running');
      return { ...rest, ...pending! };
    },
    canFail: true,
  },
  quiesce_for_scrub: {
    applies: (vm, _r, me) => vm.state === 'scrub_queue' && onThisHost(vm, me),
    act: (ctx, vm) => ctx.driver.stop(vm.id),
    after: () => undefined,
    canFail: false,
  },
  scrub: {
    applies: (vm, _r, me) => vm.state === 'scrubbing' && onThisHost(vm, me),
    act: (ctx, vm) => ctx.driver.destroy(vm.id),
    after: (vm) => ({ ...vm, state: 'closed', updatedAt: now() }),
    canFail: false,
  },
  migrate_out: {
    applies: (vm, req, me) =>
      vm.state === 'migrating' && onThisHost(vm, me) && vm.targetHost === req.peerHost,
    act: (ctx, vm) => ctx.driver.stop(vm.id),
    after: () => undefined,
    canFail: true,
  },
  migrate_in: {
    applies: (vm, _r, me) => vm.state === 'migrating' && vm.targetHost === me,
    act: async (ctx, vm) => {
      await ctx.driver.define(await ctx.spec(vm));
      if (vm.resumeState !== 'quiesced') await ctx.driver.start(vm.id);
    },
    after: (vm, _r, me) => {
      const { targetHost, resumeState, ...rest } = withState(vm, vm.resumeState ?? 'running');
      return { ...rest, host: me };
    },
    canFail: true,
  },
};
