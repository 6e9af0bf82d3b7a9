import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../io.js';
import { printRows } from '../output.js';

interface CheckReport {
  ok: boolean;
  revision: number;
  vms: number;
  violations: { rule: string; subject: string; message: string }[];
}

/** `nubo admin check`: the region's invariants; exit code 1 when any is broken. */
export function checkCommands(program: Command, cli: CliContext): void {
  const admin = program.commands.find((c) => c.name() === 'admin') ?? program.command('admin');
  admin.description('region administration (admin)');
  admin
    .command('check')
    .description("check the region's invariants (exit code 1 if any is broken)")
    .option('--cpu-ratio <n>', 'CPU overcommit the scheduler allows', Number)
    .option('--request-bound <seconds>', 'how long a request may wait unclaimed', Number)
    .action(async (o) => {
      const query = new URLSearchParams();
      if (o.cpuRatio !== undefined) query.set('cpuRatio', String(o.cpuRatio));
      if (o.requestBound !== undefined) query.set('requestBoundSeconds', String(o.requestBound));
      const q = query.size > 0 ? `?${query}` : '';
      const report = await cli.client().get<CheckReport>(`/v1/admin/check${q}`);
      if (cli.json) cli.print(JSON.stringify(report, null, 2));
      else {
        cli.print(`checked ${report.vms} VMs at revision ${report.revision}`);
        printRows(cli.io, false, report.violations, [
          ['RULE', (v) => v.rule],
          ['SUBJECT', (v) => v.subject],
          ['PROBLEM', (v) => v.message],
        ]);
      }
      if (!report.ok) throw new CliError(`${report.violations.length} invariant(s) broken`);
    });
}
