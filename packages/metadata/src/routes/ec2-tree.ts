import type { VmContext } from '../context.js';

/** A directory of the EC2 meta-data tree: names to leaves (text) or subdirectories. */
export interface Ec2Dir {
  [name: string]: string | Ec2Dir;
}

/** The EC2 `meta-data/` tree of one VM (the subset cloud-init and common tools read). */
export function ec2MetaData(context: VmContext): Ec2Dir {
  return {
    'ami-id': context.imageId,
    hostname: context.hostname,
    'instance-id': context.instanceId,
    'instance-type': `nubo.c${context.cpus}.m${context.ramMiB}`,
    'local-hostname': context.hostname,
    mac: context.mac,
    network: { interfaces: { macs: macs(context) } },
    placement: { 'availability-zone': 'nubo', region: 'nubo' },
    'public-keys': publicKeys(context),
  };
}

function macs(context: VmContext): Ec2Dir {
  const out: Ec2Dir = {};
  context.interfaces.forEach((nic, i) => {
    out[nic.mac] = {
      'device-number': String(i),
      mac: nic.mac,
      ipv6s: nic.ipv6,
      ...(nic.prefix ? { 'subnet-ipv6-cidr-blocks': nic.prefix } : {}),
    };
  });
  return out;
}

function publicKeys(context: VmContext): Ec2Dir {
  const out: Ec2Dir = {};
  context.sshKeys.forEach((key, i) => {
    out[String(i)] = { 'openssh-key': key.publicKey };
  });
  return out;
}

/** The node at a path (segments without empty parts), or undefined. */
export function walk(tree: Ec2Dir, segments: string[]): string | Ec2Dir | undefined {
  let node: string | Ec2Dir | undefined = tree;
  for (const segment of segments) {
    if (typeof node !== 'object' || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * A directory listing: one name a line, subdirectories with a trailing slash;
 * `public-keys/` lists `0=<key name>` as EC2 does.
 */
export function listing(dir: Ec2Dir, segments: string[], context: VmContext): string {
  if (segments.length === 1 && segments[0] === 'public-keys') {
    return context.sshKeys.map((k, i) => `${i}=${k.name}`).join('\n');
  }
  return Object.entries(dir)
    .map(([name, node]) => (typeof node === 'object' ? `${name}/` : name))
    .join('\n');
}
