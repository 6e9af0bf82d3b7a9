/** @nubo/cli: the `nubo` command. `run(args, io)` is the whole CLI, callable in-process. */
export { ApiClient } from './client.js';
export { type CliConfig, configPath, resolveConfig } from './config.js';
export { CliError, type CliIo } from './io.js';
export { buildProgram, run } from './main.js';
