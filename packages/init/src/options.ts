import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one run of the agent does; see docs/init.md. */
export interface InitOptions {
  /** The guest's root directory: `/` in a guest, a temp dir in tests. */
  root: string;
  /** The metadata service; when absent the agent looks for it (name `metadata`, then well-known addresses). */
  url: string | undefined;
  /** Whose authorized_keys get the VM's keys. */
  user: string;
  /** How long the agent may look for the service before it gives up (the boot goes on). */
  budgetMs: number;
  /** How long user-data may run. */
  userDataTimeoutMs: number;
  /** How long to wait for the guest's SLAAC address before the first try (0: do not wait). */
  waitAddressMs: number;
}

export const DEFAULTS: Readonly<Omit<InitOptions, 'root' | 'url'>> = {
  user: 'root',
  budgetMs: 60_000,
  userDataTimeoutMs: 300_000,
  waitAddressMs: 0,
};

export const CONFIG_FILE = 'etc/nubo/init.json';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Options from the command line, then `<root>/etc/nubo/init.json`
 * (`{ "url", "user", "budgetSeconds", "userDataTimeoutSeconds", "waitAddressSeconds" }`), then defaults.
 */
export function parseOptions(argv: string[]): InitOptions {
  const flags = parseFlags(argv);
  const root = flags.root ?? '/';
  const file = readConfigFile(root);
  return {
    root,
    url: flags.url ?? stringOr(file.url),
    user: flags.user ?? stringOr(file.user) ?? DEFAULTS.user,
    budgetMs: seconds(flags.budget ?? file.budgetSeconds, 'budget') ?? DEFAULTS.budgetMs,
    userDataTimeoutMs:
      seconds(flags['user-data-timeout'] ?? file.userDataTimeoutSeconds, 'user-data-timeout') ??
      DEFAULTS.userDataTimeoutMs,
    waitAddressMs:
      seconds(flags['wait-address'] ?? file.waitAddressSeconds, 'wait-address') ?? DEFAULTS.waitAddressMs,
  };
}

const KNOWN = new Set(['root', 'url', 'user', 'budget', 'user-data-timeout', 'wait-address']);

function parseFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name = '', inline] = arg.replace(/^--/, '').split(/=(.*)/s);
    if (!arg.startsWith('--') || !KNOWN.has(name)) throw new UsageError(`unknown argument ${arg}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

function readConfigFile(root: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(join(root, CONFIG_FILE), 'utf8');
  } catch {
    return {};
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError(`${CONFIG_FILE} is not valid JSON`);
  }
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function seconds(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds`);
  return n * 1000;
}
