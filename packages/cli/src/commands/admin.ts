import type { Command } from 'commander';
import { readConfigFile, writeConfigFile } from '../config.js';
import type { CliContext } from '../context.js';
import { printRecord, printRows, type Row } from '../output.js';

/** `nubo host ...` (admin) */
export function hostCommands(program: Command, cli: CliContext): void {
  const host = program.command('host').description('hypervisor hosts (admin)');
  host
    .command('add <name>')
    .requiredOption('--hypervisor <kind>', 'libvirt, hyperv or fake')
    .requiredOption('--cpus <n>', 'CPUs offered', Number)
    .requiredOption('--ram <size>', 'memory offered')
    .requiredOption('--disk <size>', 'disk offered')
    .option('--address <address>', 'how to reach it')
    .action(async (name: string, o) => {
      const body = {
        name,
        hypervisor: o.hypervisor,
        cpus: o.cpus,
        ram: o.ram,
        disk: o.disk,
        ...(o.address ? { address: o.address } : {}),
      };
      printRecord(cli.io, cli.json, (await cli.client().post<{ host: Row }>('/v1/hosts', body)).host);
    });
  host.command('list').action(async () => {
    const { hosts } = await cli.client().get<{ hosts: Row[] }>('/v1/hosts');
    printRows(cli.io, cli.json, hosts, [
      ['NAME', (h) => h.name],
      ['HYPERVISOR', (h) => h.hypervisor],
      ['ALIVE', (h) => (h.alive ? 'yes' : 'no')],
      ['ENABLED', (h) => (h.enabled ? 'yes' : 'drained')],
      ['CPUS', (h) => `${h.used.cpus}/${h.capacity.cpus}`],
      ['RAM', (h) => `${h.used.ramMiB}/${h.capacity.ramMiB}MiB`],
      ['DISK', (h) => `${h.used.diskGiB}/${h.capacity.diskGiB}GiB`],
      ['VMS', (h) => h.vms],
    ]);
  });
  for (const action of ['drain', 'enable'] as const) {
    host.command(`${action} <name>`).action(async (name: string) => {
      const { host: h } = await cli
        .client()
        .post<{ host: Row }>(`/v1/hosts/${encodeURIComponent(name)}/${action}`);
      printRecord(cli.io, cli.json, h);
    });
  }
}

/** `nubo user ...` (admin) */
export function userCommands(program: Command, cli: CliContext): void {
  const user = program.command('user').description('users (admin)');
  user
    .command('create <name>')
    .description('create a user; prints its token once')
    .option('--email <email>', 'email address')
    .option('--admin', 'give the admin role')
    .action(async (name: string, o) => {
      const body = { name, ...(o.email ? { email: o.email } : {}), ...(o.admin ? { role: 'admin' } : {}) };
      const made = await cli.client().post<{ user: Row; token: string }>('/v1/users', body);
      printRecord(cli.io, cli.json, { ...made.user, token: made.token });
    });
  user.command('list').action(async () => {
    const { users } = await cli.client().get<{ users: Row[] }>('/v1/users');
    printRows(cli.io, cli.json, users, [
      ['NAME', (u) => u.name],
      ['ROLE', (u) => u.role],
      ['EMAIL', (u) => u.email],
      ['ID', (u) => u.id],
    ]);
  });
}

/** `nubo project ...` and `nubo configure` */
export function projectCommands(program: Command, cli: CliContext): void {
  const project = program.command('project').description('projects');
  const COLUMNS: [string, (p: Row) => unknown][] = [
    ['NAME', (p) => p.name],
    ['MEMBERS', (p) => p.members.length],
    ['GRACE', (p) => `${p.graceDays}d`],
    ['ID', (p) => p.id],
  ];
  project
    .command('create <name>')
    .option('--grace-days <n>', 'days a deleted VM can be restored', Number)
    .action(async (name: string, o) => {
      const body = { name, ...(o.graceDays !== undefined ? { graceDays: o.graceDays } : {}) };
      printRows(
        cli.io,
        cli.json,
        [(await cli.client().post<{ project: Row }>('/v1/projects', body)).project],
        COLUMNS,
      );
    });
  project.command('list').action(async () => {
    printRows(
      cli.io,
      cli.json,
      (await cli.client().get<{ projects: Row[] }>('/v1/projects')).projects,
      COLUMNS,
    );
  });
  project.command('show').action(async () => {
    const shown = await cli.client().get<{ project: Row; usage: Row }>(await cli.projectPath());
    printRecord(cli.io, cli.json, { ...shown.project, usage: shown.usage });
  });
  project
    .command('quota')
    .description('set the quota (admin)')
    .option('--vms <n>', 'VMs', Number)
    .option('--cpus <n>', 'vCPUs', Number)
    .option('--ram <size>', 'RAM')
    .option('--disk <size>', 'disk')
    .action(async (o) => {
      const body = Object.fromEntries(
        Object.entries({ vms: o.vms, cpus: o.cpus, ram: o.ram, disk: o.disk }).filter(
          ([, v]) => v !== undefined,
        ),
      );
      printRecord(
        cli.io,
        cli.json,
        (await cli.client().put<{ project: Row }>(`${await cli.projectPath()}/quota`, body)).project,
      );
    });
  project
    .command('delete <project>')
    .description('delete a project with nothing live in it (owner or admin)')
    .action(async (ref: string) => {
      const id = await cli.resolve('/v1/projects', 'projects', ref);
      await cli.client().delete(`/v1/projects/${id}`);
    });
  project.command('add-member <user>').action(async (user: string) => {
    await cli.client().post(`${await cli.projectPath()}/members`, { user });
  });

  program
    .command('configure')
    .description('save the endpoint, token and default project to the config file')
    .option('--api-url <url>', 'API endpoint')
    .option('--api-token <token>', 'API token')
    .option('--default-project <project>', 'default project (name or id)')
    .action((o) => {
      const path = writeConfigFile(cli.io.env, {
        ...readConfigFile(cli.io.env),
        ...(o.apiUrl ? { url: o.apiUrl } : {}),
        ...(o.apiToken ? { token: o.apiToken } : {}),
        ...(o.defaultProject ? { project: o.defaultProject } : {}),
      });
      cli.print(`saved ${path}`);
    });
}
