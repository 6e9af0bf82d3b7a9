import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fingerprint } from '@nubo/host';
import { ed25519KeyPair } from '@nubo/test';
import { type Connection, type ParsedKey, Server, utils } from 'ssh2';
import { assignments, type Parsed } from './ps-parse.js';

export interface FakeVm {
  state: string;
  params: Record<string, Parsed>;
}

/**
 * An SSH server on 127.0.0.1 that stands in for a Windows host's OpenSSH with
 * Hyper-V: it accepts one client key, records every command, decodes the
 * -EncodedCommand script and answers as Hyper-V would (JSON on stdout, an
 * error line on stderr with exit 1).
 */
export class FakeHypervServer {
  readonly commands: string[] = [];
  readonly scripts: string[] = [];
  readonly authMethods: string[] = [];
  readonly vms = new Map<string, FakeVm>();
  readonly clientKey = ed25519KeyPair();
  hostFingerprint = '';
  port = 0;
  private readonly server: Server;

  constructor() {
    const hostKey = ed25519KeyPair();
    const parsedHost = utils.parseKey(hostKey.private) as ParsedKey;
    this.hostFingerprint = fingerprint(parsedHost.getPublicSSH());
    this.server = new Server({ hostKeys: [hostKey.private] }, (client) => this.serve(client));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(client: Connection): void {
    const allowed = utils.parseKey(this.clientKey.public) as ParsedKey;
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      this.authMethods.push(ctx.method);
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const same =
        ctx.key.algo === allowed.type &&
        ctx.key.data.length === allowed.getPublicSSH().length &&
        timingSafeEqual(ctx.key.data, allowed.getPublicSSH());
      if (!same) return ctx.reject(['publickey']);
      if (ctx.signature && ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true)
        return ctx.reject();
      ctx.accept();
    });
    client.on('ready', () =>
      client.on('session', (accept) =>
        accept().on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec();
          const { out, err, code } = this.answer(info.command);
          if (out) channel.write(out);
          if (err) channel.stderr.write(err);
          channel.exit(code);
          channel.end();
        }),
      ),
    );
  }

  private answer(command: string): { out?: string; err?: string; code: number } {
    this.commands.push(command);
    const encoded = /-EncodedCommand (\S+)$/.exec(command)?.[1];
    if (!encoded) return { err: 'not an encoded PowerShell command', code: 1 };
    const script = Buffer.from(encoded, 'base64').toString('utf16le');
    this.scripts.push(script);
    const op = /^# nubo: (\w+)/.exec(script)?.[1];
    const params = assignments(script);
    const name = String(params.name ?? '');
    const vm = this.vms.get(name);
    const missing = { err: `Hyper-V was unable to find a virtual machine with name "${name}".\r\n`, code: 1 };
    switch (op) {
      case 'capacity':
        return {
          out: JSON.stringify({ cpus: 24, memoryBytes: 128 * 1024 ** 3, diskFreeBytes: 2048 * 1024 ** 3 }),
          code: 0,
        };
      case 'list':
        return { out: JSON.stringify([...this.vms].map(([n, v]) => ({ name: n, state: v.state }))), code: 0 };
      case 'define':
        this.vms.set(name, { state: vm?.state ?? 'Off', params });
        return { code: 0 };
      case 'resize':
        if (!vm) return missing;
        Object.assign(vm.params, params);
        return { code: 0 };
      case 'start':
      case 'reboot':
      case 'stop':
        if (!vm) return missing;
        vm.state = op === 'stop' ? 'Off' : 'Running';
        return { code: 0 };
      case 'destroy':
        this.vms.delete(name);
        return { code: 0 };
      default:
        return { err: `unknown script ${op}`, code: 1 };
    }
  }
}
