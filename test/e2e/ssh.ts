// SSH to a guest from inside its project's router namespace: the guest's
// address is only routed there. ssh2 runs here; its TCP stream is relayed by a
// one-line Node process started in the namespace (`ip netns exec`).
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2 from 'ssh2';

const RELAY =
  "const s=require('net').connect(+process.argv[2],process.argv[1]);" +
  's.on("error",()=>process.exit(2));process.stdin.pipe(s);s.pipe(process.stdout);s.on("close",()=>process.exit(0))';

export interface SshTarget {
  netns: string;
  address: string;
  privateKey: string;
}

/** Logs in as root and runs one command; rejects on any failure. */
export function sshExec(target: SshTarget, command: string): Promise<string> {
  const relay = spawn(
    '/usr/sbin/ip',
    ['netns', 'exec', target.netns, process.execPath, '-e', RELAY, target.address, '22'],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  const sock = Duplex.from({ readable: relay.stdout, writable: relay.stdin });
  const client = new ssh2.Client();
  return new Promise<string>((resolve, reject) => {
    const fail = (err: Error) => {
      client.end();
      reject(err);
    };
    relay.once('exit', () => fail(new Error('connection closed')));
    client
      .on('ready', () => {
        client.exec(command, (err, stream) => {
          if (err) return fail(err);
          let out = '';
          stream.on('data', (d: Buffer) => {
            out += d.toString();
          });
          stream.on('close', () => {
            client.end();
            resolve(out);
          });
        });
      })
      .on('error', fail)
      .connect({ sock, username: 'root', privateKey: target.privateKey, readyTimeout: 20_000 });
  }).finally(() => {
    relay.kill();
  });
}

/** Retries the login until it works (the guest is still booting) or the deadline passes. */
export async function sshWhenUp(target: SshTarget, command: string, timeoutMs = 180_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await sshExec(target, command);
    } catch (err) {
      lastError = err;
      await sleep(500);
    }
  }
  throw new Error(`no SSH login within ${timeoutMs} ms: ${String(lastError)}`);
}
