import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './io.js';

/** What `~/.config/nubo/config.json` holds; NUBO_API_URL, NUBO_TOKEN and NUBO_PROJECT win over it. */
export interface CliConfig {
  url?: string;
  token?: string;
  project?: string;
}

export function configPath(env: NodeJS.ProcessEnv): string {
  return (
    env.NUBO_CONFIG ??
    join(env.XDG_CONFIG_HOME ?? join(env.HOME ?? homedir(), '.config'), 'nubo', 'config.json')
  );
}

export function readConfigFile(env: NodeJS.ProcessEnv): CliConfig {
  try {
    return JSON.parse(readFileSync(configPath(env), 'utf8')) as CliConfig;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read ${configPath(env)}: ${(err as Error).message}`);
  }
}

/** Writes the file readable by its owner only: it holds a token. */
export function writeConfigFile(env: NodeJS.ProcessEnv, config: CliConfig): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** File, then environment, then flags. */
export function resolveConfig(
  env: NodeJS.ProcessEnv,
  flags: CliConfig,
): Required<Pick<CliConfig, 'url'>> & CliConfig {
  const file = readConfigFile(env);
  const pick = (flag?: string, envValue?: string, fileValue?: string) => flag ?? envValue ?? fileValue;
  const url = pick(flags.url, env.NUBO_API_URL, file.url) ?? 'http://127.0.0.1:8080';
  const token = pick(flags.token, env.NUBO_TOKEN, file.token);
  const project = pick(flags.project, env.NUBO_PROJECT, file.project);
  return { url: url.replace(/\/+$/, ''), ...(token ? { token } : {}), ...(project ? { project } : {}) };
}
