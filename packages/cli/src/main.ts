import { Command, CommanderError } from 'commander';
import { hostCommands, projectCommands, userCommands } from './commands/admin.js';
import { billCommands, skuCommands } from './commands/billing.js';
import { checkCommands } from './commands/check.js';
import { imageCommands, keyCommands, netCommands } from './commands/resources.js';
import { vmCommands } from './commands/vm.js';
import { CliContext } from './context.js';
import { CliError, type CliIo, processIo } from './io.js';

/** Builds the `nubo` command tree, writing through `io`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('nubo')
    .description('Drive a Nubo region: VMs, keys, networks, images, hosts, projects and users')
    .option('--json', 'print JSON for scripts')
    .option('--url <url>', 'API endpoint (env NUBO_API_URL)')
    .option('--token <token>', 'API token (env NUBO_TOKEN; prefer the env or the config file)')
    .option('-p, --project <project>', 'project name or id (env NUBO_PROJECT)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const cli = new CliContext(io, program);
  for (const add of [
    vmCommands,
    keyCommands,
    netCommands,
    imageCommands,
    hostCommands,
    projectCommands,
    userCommands,
    checkCommands,
    billCommands,
    skuCommands,
  ]) {
    add(program, cli);
  }
  program.commands.forEach((c) => {
    c.exitOverride();
    c.commands.forEach((s) => s.exitOverride());
  });
  return program;
}

/** Runs `nubo <args>` and returns the exit code: 0 done, 1 the API or the CLI refused, 2 bad usage. */
export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      io.stderr.write(`error: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
      for (const d of err.details) io.stderr.write(`  ${d.field}: ${d.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}
