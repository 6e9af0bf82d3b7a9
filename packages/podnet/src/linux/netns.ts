import { ip, run, runIn } from './exec.js';

/** Names of every network namespace on this machine. */
export async function listNamespaces(): Promise<string[]> {
  const out = await run('ip', ['-j', 'netns', 'list']);
  if (!out.trim()) return [];
  return (JSON.parse(out) as { name: string }[]).map((n) => n.name);
}

export async function namespaceExists(name: string): Promise<boolean> {
  return (await listNamespaces()).includes(name);
}

/** Creates the namespace with loopback up and forwarding on (radvd refuses to run without it). */
export async function createNamespace(name: string): Promise<void> {
  await run('ip', ['netns', 'add', name]);
  await ip(name, ['link', 'set', 'lo', 'up']);
  await setSysctls(name);
}

export async function setSysctls(name: string): Promise<void> {
  await runIn(name, 'sysctl', [
    '-qw',
    'net.ipv4.ip_forward=1',
    'net.ipv6.conf.all.forwarding=1',
    'net.ipv6.conf.default.accept_dad=0',
  ]);
}

export async function deleteNamespace(name: string): Promise<void> {
  if (await namespaceExists(name)) await run('ip', ['netns', 'del', name]);
}
