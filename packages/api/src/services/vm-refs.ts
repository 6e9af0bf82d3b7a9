import {
  type Entry,
  fieldError,
  Image,
  Network,
  Project,
  type QuotaUsage,
  SshKey,
  type TSchema,
  type VmCreateInput,
} from '@nubo/shared';
import type { ApiContext } from '../context.js';
import { isUuid } from './lookup.js';
import { ZERO_USAGE } from './quota.js';
import { type Read, readMany } from './read-many.js';

/** Everything a create reads, found in two round trips (names first need their index). */
export interface VmRefs {
  image: Read<Image>;
  networks: Read<Network>[];
  sshKeys: Read<SshKey>[];
  usage: Pick<Entry<QuotaUsage>, 'value' | 'modRevision'>;
  /** The project as it is now (the quota may have just changed). */
  project: Project;
  /** The VM id an earlier create with the same Idempotency-Key made. */
  earlierVmId?: string;
}

export async function readVmRefs(
  ctx: ApiContext,
  project: Project,
  input: VmCreateInput,
  idempotencyKey: string | undefined,
): Promise<VmRefs> {
  const k = ctx.keys;
  const p = project.id;
  const imageKeys = isUuid(input.image)
    ? [k.images.one(input.image)]
    : [k.names.one('images', p, input.image), k.names.one('images', 'public', input.image)];
  const keyKeys = (input.sshKeys ?? []).map((ref) =>
    isUuid(ref) ? k.sshKeys.one(p, ref) : k.names.one('ssh-keys', p, ref),
  );
  const netKeys = (input.networks ?? []).map((id) => k.networks.one(id));
  const idemKey = idempotencyKey ? k.idempotency.one(p, idempotencyKey) : undefined;
  const schemaOf = (key: string): TSchema | undefined =>
    key.startsWith(k.projects.prefix)
      ? Project
      : key.startsWith(k.images.prefix)
        ? Image
        : key.startsWith(k.networks.prefix)
          ? Network
          : key.startsWith(k.sshKeys.prefix)
            ? SshKey
            : undefined;
  const first = await readMany(
    ctx.store,
    [
      k.projects.one(p),
      k.quotaUsage.one(p),
      ...(idemKey ? [idemKey] : []),
      ...imageKeys,
      ...keyKeys,
      ...netKeys,
    ],
    schemaOf,
  );
  // Names point at ids: read what they point at.
  const imageIndex = imageKeys.map((key) => first.get(key)).find((r) => r !== undefined);
  const second = await readMany(
    ctx.store,
    [
      ...(imageIndex && !isUuid(input.image) ? [k.images.one(String(imageIndex.value))] : []),
      ...keyKeys
        .filter((key) => key.includes('/index/names/'))
        .map((key) => first.get(key))
        .filter((r) => r !== undefined)
        .map((r) => k.sshKeys.one(p, String(r.value))),
    ],
    schemaOf,
  );
  const all = (key: string) => first.get(key) ?? second.get(key);
  const usage = first.get(k.quotaUsage.one(p)) as Read<QuotaUsage> | undefined;
  return {
    image: checkImage(
      isUuid(input.image) ? all(imageKeys[0]!) : imageIndex && all(k.images.one(String(imageIndex.value))),
      p,
      input.image,
    ),
    networks: netKeys.map((key, i) => checkNetwork(all(key), p, input.networks![i]!, i)),
    sshKeys: keyKeys.map((key, i) => {
      const direct = all(key);
      const entry =
        key.includes('/index/names/') && direct ? all(k.sshKeys.one(p, String(direct.value))) : direct;
      return checkSshKey(entry, p, input.sshKeys![i]!, i);
    }),
    usage: usage ?? { value: ZERO_USAGE, modRevision: 0 },
    project: (first.get(k.projects.one(p))?.value as Project | undefined) ?? project,
    ...(idemKey && first.get(idemKey) ? { earlierVmId: String(first.get(idemKey)!.value) } : {}),
  };
}

function checkImage(read: Read<unknown> | undefined, projectId: string, ref: string): Read<Image> {
  const img = read?.value as Image | undefined;
  if (!img || (img.projectId !== undefined && img.projectId !== projectId)) {
    throw fieldError('NUBO_VALIDATION', '/image', `no image "${ref}" in this project or public`);
  }
  if (img.state !== 'ready')
    throw fieldError('NUBO_VALIDATION', '/image', `image ${img.name} is ${img.state}, not ready`);
  return read as Read<Image>;
}

function checkNetwork(
  read: Read<unknown> | undefined,
  projectId: string,
  ref: string,
  i: number,
): Read<Network> {
  const net = read?.value as Network | undefined;
  if (!net || net.projectId !== projectId || net.state !== 'active') {
    throw fieldError('NUBO_VALIDATION', `/networks/${i}`, `no network "${ref}" in this project`);
  }
  return read as Read<Network>;
}

function checkSshKey(
  read: Read<unknown> | undefined,
  projectId: string,
  ref: string,
  i: number,
): Read<SshKey> {
  const key = read?.value as SshKey | undefined;
  // A deleted key waits in the scrub queue (restorable) but is no longer given to new VMs.
  if (!key || key.projectId !== projectId || key.state === 'scrub_queue')
    throw fieldError('NUBO_VALIDATION', `/sshKeys/${i}`, `no SSH key "${ref}" in this project`);
  return read as Read<SshKey>;
}
