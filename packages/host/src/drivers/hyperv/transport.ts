import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { NuboError } from '@nubo/shared';
import { Client, type ConnectConfig } from 'ssh2';
import { encodeCommand, POWERSHELL_ARGS, powershellCommandLine } from './powershell.js';

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one PowerShell script on the Hyper-V host. */
export interface PowerShellTransport {
  run(script: string): Promise<ScriptResult>;
  close(): Promise<void>;
}

export interface SshTarget {
  host: string;
  port?: number;
  username: string;
  /** OpenSSH or PEM private key. Kept in memory only: never on a command line, never logged. */
  privateKey?: string | Buffer;
  passphrase?: string;
  password?: string;
  /** The host key's SHA-256 fingerprint (`SHA256:...` as ssh-keygen prints it): no unknown host is trusted. */
  hostKeySha256: string;
  readyTimeoutMs?: number;
}

export function fingerprint(hostKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(hostKey).digest('base64').replace(/=+$/, '')}`;
}

/** PowerShell over SSH (Windows OpenSSH), one connection reused for every script. */
export class SshTransport implements PowerShellTransport {
  private client?: Promise<Client>;

  constructor(private readonly target: SshTarget) {}

  async run(script: string): Promise<ScriptResult> {
    const client = await this.connect();
    return new Promise((resolve, reject) => {
      client.exec(powershellCommandLine(script), (err, channel) => {
        if (err) return reject(new NuboError('NUBO_HYPERVISOR', `ssh exec failed: ${err.message}`));
        let stdout = '';
        let stderr = '';
        channel.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        channel.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        channel.on('exit', (code: number | null) =>
          channel.once('close', () => resolve({ code: code ?? 1, stdout, stderr })),
        );
      });
    });
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    client?.end();
  }

  private connect(): Promise<Client> {
    this.client ??= new Promise<Client>((resolve, reject) => {
      const { hostKeySha256, readyTimeoutMs, ...auth } = this.target;
      const client = new Client();
      const config: ConnectConfig = {
        ...auth,
        readyTimeout: readyTimeoutMs ?? 20_000,
        hostVerifier: (key: Buffer) => fingerprint(key) === hostKeySha256,
      };
      client
        .once('ready', () => resolve(client))
        .once('error', (err) => {
          this.client = undefined;
          reject(new NuboError('NUBO_HYPERVISOR', `ssh to ${this.target.host}: ${err.message}`));
        })
        .once('close', () => {
          this.client = undefined;
        })
        .connect(config);
    });
    return this.client;
  }
}

/** PowerShell on this machine (`pwsh` on Linux or Windows, `powershell.exe` on Windows). */
export class LocalPowerShell implements PowerShellTransport {
  constructor(private readonly exe = 'pwsh') {}

  run(script: string): Promise<ScriptResult> {
    return new Promise((resolve, reject) => {
      execFile(
        this.exe,
        [...POWERSHELL_ARGS, '-EncodedCommand', encodeCommand(script)],
        (err, stdout, stderr) => {
          const code = (err as NodeJS.ErrnoException | null)?.code;
          if (code === 'ENOENT')
            return reject(new NuboError('NUBO_DEPENDENCY_MISSING', `${this.exe} is not installed`));
          resolve({ code: err ? Number(code ?? 1) || 1 : 0, stdout, stderr });
        },
      );
    });
  }

  async close(): Promise<void> {}
}
