// Records the metadata tests put in etcd: a project with a network, SSH keys
// and VMs, shaped exactly as the API writes them (docs/requests.md).
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { type Keys, macToEui64, type Network, type SshKey, type Store, type Vm } from '@nubo/shared';

/** A real ed25519 public key in OpenSSH form, with its SHA256 fingerprint. */
export function makeSshKey(projectId: string, name: string): SshKey {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return {
    id: randomUUID(),
    projectId,
    name,
    type: 'ssh-ed25519',
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ${name}@nubo-test`,
    fingerprint,
    createdAt: new Date().toISOString(),
  };
}

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

export function makeNetwork(projectId: string, ipv6Prefix: string, segment = 100): Network {
  return {
    id: randomUUID(),
    projectId,
    name: 'net',
    ipv6Prefix,
    segment,
    state: 'active',
    createdAt: new Date().toISOString(),
  };
}

export interface VmSpec {
  name: string;
  mac: string;
  network: Network;
  sshKeys?: SshKey[];
  userData?: string;
  state?: Vm['state'];
}

export function makeVm(spec: VmSpec): Vm {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    projectId: spec.network.projectId,
    name: spec.name,
    cpus: 1,
    ramMiB: 512,
    diskGiB: 10,
    imageId: randomUUID(),
    nics: [
      { networkId: spec.network.id, mac: spec.mac, ipv6: macToEui64(spec.mac, spec.network.ipv6Prefix) },
    ],
    sshKeyIds: (spec.sshKeys ?? []).map((k) => k.id),
    ...(spec.userData !== undefined ? { userData: spec.userData } : {}),
    state: spec.state ?? 'running',
    host: 'hv1',
    createdAt: now,
    updatedAt: now,
  };
}

/** Writes a network, its keys and VMs in one transaction. */
export async function seed(
  store: Store,
  keys: Keys,
  records: { networks?: Network[]; sshKeys?: SshKey[]; vms?: Vm[] },
): Promise<void> {
  const txn = store.txn();
  for (const n of records.networks ?? []) txn.put(keys.networks.one(n.id), n);
  for (const k of records.sshKeys ?? []) txn.put(keys.sshKeys.one(k.projectId, k.id), k);
  for (const vm of records.vms ?? []) txn.put(keys.vms.one(vm.id), vm);
  await txn.commit();
}

/** Polls until `check` passes (watch delivery is asynchronous), failing after `ms`. */
export async function eventually(check: () => void | Promise<void>, ms = 1000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
