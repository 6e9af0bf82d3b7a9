import {
  fieldError,
  Image,
  Network,
  NuboError,
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
import type { WatchedRecords } from './watched.js';

/**
 * Where a create reads its references: the watched caches (no round trip in
 * the steady state) or etcd (one snapshot, at most two round trips: names
 * first need their index).
 */
export type RefSource = 'cache' | 'etcd';

/** Everything a create reads. */
export interface VmRefs {
  image: Read<Image>;
  networks: Read<Network>[];
  sshKeys: Read<SshKey>[];
  /** The project's usage; modRevision 0 when nothing is used yet (the key is absent). */
  usage: Read<QuotaUsage>;
  /** The project as read now (its quota may have just changed). */
  project: Read<Project>;
  /**
   * Every key the answer depends on with the mod_revision it was read at
   * (0 = absent). The create compares them all, so an answer from a stale
   * cache cannot commit: the transaction fails and the create reads etcd.
   */
  seen: Map<string, number>;
}

export async function readVmRefs(
  ctx: ApiContext,
  projectId: string,
  input: VmCreateInput,
  source: RefSource,
): Promise<VmRefs> {
  const k = ctx.keys;
  const p = projectId;
  const seen = new Map<string, number>();
  const imageKeys = isUuid(input.image)
    ? [k.images.one(input.image)]
    : [k.names.one('images', p, input.image), k.names.one('images', 'public', input.image)];
  const keyKeys = (input.sshKeys ?? []).map((ref) =>
    isUuid(ref) ? k.sshKeys.one(p, ref) : k.names.one('ssh-keys', p, ref),
  );
  const netKeys = (input.networks ?? []).map((id) => k.networks.one(id));
  const projectKey = k.projects.one(p);
  const usageKey = k.quotaUsage.one(p);
  const first = await readRefs(
    ctx,
    [projectKey, usageKey, ...imageKeys, ...keyKeys, ...netKeys],
    source,
    seen,
  );
  // Names point at ids: read what they point at (a project's own image before a public one).
  const imageIndex = imageKeys.map((key) => first.get(key)).find((r) => r !== undefined);
  const imageKey = isUuid(input.image) ? imageKeys[0]! : imageIndex && k.images.one(String(imageIndex.value));
  const sshKeyOf = (key: string) => {
    const direct = first.get(key);
    return key.includes('/index/names/') && direct ? k.sshKeys.one(p, String(direct.value)) : key;
  };
  const second = await readRefs(
    ctx,
    [
      ...(imageKey && !isUuid(input.image) ? [imageKey] : []),
      ...keyKeys.filter((key) => key.includes('/index/names/')).map(sshKeyOf),
    ],
    source,
    seen,
  );
  const all = (key: string | undefined) => (key ? (first.get(key) ?? second.get(key)) : undefined);
  const project = all(projectKey) as Read<Project> | undefined;
  if (!project) throw new NuboError('NUBO_NOT_FOUND', 'project not found');
  return {
    image: checkImage(all(imageKey), p, input.image),
    networks: netKeys.map((key, i) => checkNetwork(all(key), p, input.networks![i]!, i)),
    sshKeys: keyKeys.map((key, i) => checkSshKey(all(sshKeyOf(key)), p, input.sshKeys![i]!, i)),
    usage: (all(usageKey) as Read<QuotaUsage> | undefined) ?? {
      key: usageKey,
      value: ZERO_USAGE,
      modRevision: 0,
    },
    project,
    seen,
  };
}

/** Reads keys from the caches (a ready cache's "absent" counts) or from etcd; records what was seen. */
async function readRefs(
  ctx: ApiContext,
  keys: string[],
  source: RefSource,
  seen: Map<string, number>,
): Promise<Map<string, Read<unknown>>> {
  const out = new Map<string, Read<unknown>>();
  const missing: string[] = [];
  for (const key of keys) {
    const cache = source === 'cache' ? cacheOf(ctx, key) : undefined;
    if (!cache?.isReady) {
      missing.push(key);
      continue;
    }
    const hit = cache.entry(key);
    if (hit) out.set(key, { key, value: hit.value, modRevision: hit.modRevision });
    seen.set(key, hit?.modRevision ?? 0);
  }
  if (missing.length === 0) return out;
  const read = await readMany(ctx.store, missing, (key) => schemaOf(ctx, key));
  for (const key of missing) {
    const r = read.get(key);
    seen.set(key, r?.modRevision ?? 0);
    if (!r) continue;
    out.set(key, r);
    // A fresh read heals a cache that fell behind (it keeps whichever is newer).
    cacheOf(ctx, key)?.remember(key, r.value as never, r.modRevision);
  }
  return out;
}

function cacheOf(ctx: ApiContext, key: string): WatchedRecords<TSchema> | undefined {
  const k = ctx.keys;
  const c = ctx.cache;
  if (key.startsWith(k.quotaUsage.one(''))) return c.usage as unknown as WatchedRecords<TSchema>;
  const cache = key.startsWith(k.projects.prefix)
    ? c.projects
    : key.startsWith(k.images.prefix)
      ? c.images
      : key.startsWith(k.networks.prefix)
        ? c.networks
        : key.startsWith(k.sshKeys.prefix)
          ? c.sshKeys
          : key.startsWith(namesPrefix(ctx))
            ? c.names
            : undefined;
  return cache as unknown as WatchedRecords<TSchema> | undefined;
}

/** The names index of networks, SSH keys and images (`names.one` without its last parts). */
export function namesPrefix(ctx: Pick<ApiContext, 'keys'>): string {
  return `${ctx.keys.prefix}index/names/`;
}

function schemaOf(ctx: ApiContext, key: string): TSchema | undefined {
  const k = ctx.keys;
  if (key.startsWith(k.projects.prefix)) return Project;
  if (key.startsWith(k.images.prefix)) return Image;
  if (key.startsWith(k.networks.prefix)) return Network;
  if (key.startsWith(k.sshKeys.prefix)) return SshKey;
  return undefined;
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
