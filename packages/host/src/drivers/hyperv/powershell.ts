import { NuboError } from '@nubo/shared';

/** PowerShell treats all four of these as a single quote, so all four must be doubled. */
const SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

export type PsValue = string | number | boolean | PsValue[] | { [key: string]: PsValue };

/**
 * A PowerShell literal for a value: strings become single-quoted literals (in
 * which nothing is interpreted; quotes are doubled), numbers must be safe
 * integers, arrays and hashtables are built from literals. No value is ever
 * pasted into a script any other way.
 */
export function psLiteral(value: PsValue): string {
  if (typeof value === 'string') return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
  if (typeof value === 'boolean') return value ? '$true' : '$false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new NuboError('NUBO_INTERNAL', `not an integer for PowerShell: ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `@(${value.map(psLiteral).join(', ')})`;
  const pairs = Object.entries(value).map(([k, v]) => `${psKey(k)} = ${psLiteral(v)}`);
  return `@{ ${pairs.join('; ')} }`;
}

function psKey(key: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new NuboError('NUBO_INTERNAL', `bad PowerShell key ${key}`);
  return key;
}

/**
 * A whole script: a marker naming the operation, the values as variables
 * (each a literal), then a fixed body that only refers to the variables. Errors
 * stop the script and come back as one line on stderr with exit code 1.
 */
export function psScript(operation: string, params: Record<string, PsValue>, body: string): string {
  const assignments = Object.entries(params).map(([k, v]) => `$${psKey(k)} = ${psLiteral(v)}`);
  return [
    `# nubo: ${operation}`,
    `$ErrorActionPreference = 'Stop'`,
    `$ProgressPreference = 'SilentlyContinue'`,
    ...assignments,
    'try {',
    ...body
      .trim()
      .split('\n')
      .map((line) => `  ${line}`),
    '} catch {',
    '  [Console]::Error.WriteLine($_.Exception.Message)',
    '  exit 1',
    '}',
    '',
  ].join('\n');
}

/** `-EncodedCommand` takes the script as base64 of its UTF-16LE bytes: nothing left for a shell to parse. */
export function encodeCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

export const POWERSHELL_ARGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'];

/** The command line OpenSSH on Windows runs (cmd.exe's limit is 8191 characters). */
export function powershellCommandLine(script: string, exe = 'powershell.exe'): string {
  const line = [exe, ...POWERSHELL_ARGS, '-EncodedCommand', encodeCommand(script)].join(' ');
  if (line.length > 8000)
    throw new NuboError('NUBO_INTERNAL', `PowerShell script too long (${line.length} characters)`);
  return line;
}
