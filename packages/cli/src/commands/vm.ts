import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { Column } from '../output.js';
import { printRecord, printRows } from '../output.js';
import { waitForVm } from '../wait.js';

interface Vm {
  id: string;
  name: string;
  state: string;
  cpus: number;
  ramMiB: number;
  diskGiB: number;
  host?: string;
  nics: { ipv6: string }[];
  reason?: string;
}

const COLUMNS: Column<Vm>[] = [
  ['NAME', (v) => v.name],
  ['STATE', (v) => v.state],
  ['CPUS', (v) => v.cpus],
  ['RAM', (v) => `${v.ramMiB}MiB`],
  ['DISK', (v) => `${v.diskGiB}GiB`],
  ['HOST', (v) => v.host],
  ['IPV6', (v) => v.nics.map((n) => n.ipv6)],
  ['ID', (v) => v.id],
];

interface VmEvent {
  time: string;
  actor: string;
  action: string;
  fromState?: string;
  toState?: string;
  reason?: string;
}

const EVENT_COLUMNS: Column<VmEvent>[] = [
  ['TIME', (e) => e.time],
  ['ACTOR', (e) => e.actor],
  ['ACTION', (e) => e.action],
  ['STATE', (e) => (e.fromState || e.toState ? `${e.fromState ?? '-'}→${e.toState ?? '-'}` : undefined)],
  ['REASON', (e) => e.reason],
];

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function vmCommands(program: Command, cli: CliContext): void {
  const vm = program.command('vm').description('virtual machines');
  const show = async (v: Vm) =>
    cli.json ? printRecord(cli.io, true, { ...v }) : printRows(cli.io, false, [v], COLUMNS);
  const vmPath = async (ref: string) => {
    const base = await cli.projectPath();
    return `${base}/vms/${await cli.resolve(`${base}/vms`, 'vms', ref)}`;
  };
  const finish = async (path: string, v: Vm, wait: boolean | undefined) =>
    show(wait ? ((await waitForVm(cli, path)) as Vm) : v);

  vm.command('create <name>')
    .requiredOption('--cpus <n>', 'virtual CPUs', Number)
    .requiredOption('--ram <size>', 'memory, e.g. 2GiB')
    .requiredOption('--disk <size>', 'disk, e.g. 20GiB')
    .requiredOption('--image <image>', 'image name or id')
    .option('--network <network>', 'network name or id (repeatable)', collect)
    .option('--key <key>', 'SSH key name or id (repeatable)', collect)
    .option('--user-data-file <file>', 'user-data for the guest (up to 16 KiB)')
    .option('--idempotency-key <key>', 'a retry with the same key creates no second VM')
    .option('--wait', 'follow the VM until it is running (or fails)')
    .action(async (name: string, o) => {
      const base = await cli.projectPath();
      const networks = await Promise.all(
        (o.network ?? []).map((n: string) => cli.resolve(`${base}/networks`, 'networks', n)),
      );
      const body = {
        name,
        cpus: o.cpus,
        ram: o.ram,
        disk: o.disk,
        image: o.image,
        ...(networks.length ? { networks } : {}),
        ...(o.key ? { sshKeys: o.key } : {}),
        ...(o.userDataFile ? { userData: readFileSync(o.userDataFile, 'utf8') } : {}),
      };
      const headers = o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : undefined;
      const { vm: made } = await cli.client().post<{ vm: Vm }>(`${base}/vms`, body, headers);
      await finish(`${base}/vms/${made.id}`, made, o.wait);
    });

  vm.command('list').action(async () => {
    const { vms } = await cli.client().get<{ vms: Vm[] }>(`${await cli.projectPath()}/vms`);
    printRows(cli.io, cli.json, vms, COLUMNS);
  });

  vm.command('show <vm>').action(async (ref: string) => {
    const { vm: v } = await cli.client().get<{ vm: Vm }>(await vmPath(ref));
    printRecord(cli.io, cli.json, { ...v });
  });

  for (const action of ['start', 'stop', 'restart', 'restore'] as const) {
    vm.command(`${action} <vm>`)
      .option('--wait', 'follow the VM to a stable state')
      .action(async (ref: string, o) => {
        const path = await vmPath(ref);
        const { vm: v } = await cli.client().post<{ vm: Vm }>(`${path}/${action}`);
        await finish(path, v, o.wait);
      });
  }

  vm.command('delete <vm>')
    .description('move the VM to the scrub queue; restore it within the grace period')
    .action(async (ref: string) => {
      const { vm: v } = await cli.client().delete<{ vm: Vm }>(await vmPath(ref));
      await show(v);
    });

  vm.command('resize <vm>')
    .option('--cpus <n>', 'virtual CPUs', Number)
    .option('--ram <size>', 'memory')
    .option('--disk <size>', 'disk (grow only)')
    .option('--wait', 'follow the VM to a stable state')
    .action(async (ref: string, o) => {
      const path = await vmPath(ref);
      const body = {
        ...(o.cpus ? { cpus: o.cpus } : {}),
        ...(o.ram ? { ram: o.ram } : {}),
        ...(o.disk ? { disk: o.disk } : {}),
      };
      const { vm: v } = await cli.client().post<{ vm: Vm }>(`${path}/resize`, body);
      await finish(path, v, o.wait);
    });

  vm.command('events <vm>')
    .description("the VM's history: time, actor, action, from→to, reason")
    .option('--limit <n>', 'the newest n events (default 100)')
    .action(async (ref: string, o) => {
      const query = o.limit ? `?limit=${encodeURIComponent(o.limit)}` : '';
      const { events } = await cli.client().get<{ events: VmEvent[] }>(`${await vmPath(ref)}/events${query}`);
      printRows(cli.io, cli.json, events, EVENT_COLUMNS);
    });

  vm.command('evacuate <vm>')
    .description('place a VM lost with its host again (admin)')
    .option('--wait', 'follow the VM to a stable state')
    .action(async (ref: string, o) => {
      const path = await vmPath(ref);
      const { vm: v } = await cli.client().post<{ vm: Vm }>(`${path}/evacuate`);
      await finish(path, v, o.wait);
    });

  vm.command('migrate <vm>')
    .description('move a VM to another host (admin)')
    .requiredOption('--host <host>', 'target host')
    .option('--wait', 'follow the VM to a stable state')
    .action(async (ref: string, o) => {
      const path = await vmPath(ref);
      const { vm: v } = await cli.client().post<{ vm: Vm }>(`${path}/migrate`, { host: o.host });
      await finish(path, v, o.wait);
    });
}
