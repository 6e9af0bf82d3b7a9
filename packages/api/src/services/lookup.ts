import {
  type Entry,
  Image,
  Network,
  NuboError,
  type Project,
  SshKey,
  type Static,
  type TSchema,
} from '@nubo/shared';
import type { ApiContext } from '../context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A record found by its name index, or undefined. */
async function byName<S extends TSchema>(
  ctx: ApiContext,
  kind: 'networks' | 'ssh-keys' | 'images',
  scope: string,
  name: string,
  keyOf: (id: string) => string,
  schema: S,
): Promise<Entry<Static<S>> | undefined> {
  const index = await ctx.store.get(ctx.keys.names.one(kind, scope, name));
  return index ? ctx.store.get(keyOf(String(index.value)), schema) : undefined;
}

/** An image the project may use (its own or a public one), by id or name; `ready` is checked by the caller. */
export async function findImage(
  ctx: ApiContext,
  projectId: string,
  ref: string,
): Promise<Entry<Image> | undefined> {
  const entry = isUuid(ref)
    ? await ctx.store.get(ctx.keys.images.one(ref), Image)
    : ((await byName(ctx, 'images', projectId, ref, ctx.keys.images.one, Image)) ??
      (await byName(ctx, 'images', 'public', ref, ctx.keys.images.one, Image)));
  if (!entry) return undefined;
  const img = entry.value;
  return img.projectId === undefined || img.projectId === projectId ? entry : undefined;
}

export async function findNetwork(ctx: ApiContext, projectId: string, ref: string) {
  const entry = isUuid(ref)
    ? await ctx.store.get(ctx.keys.networks.one(ref), Network)
    : await byName(ctx, 'networks', projectId, ref, ctx.keys.networks.one, Network);
  return entry?.value.projectId === projectId ? entry : undefined;
}

export async function findSshKey(ctx: ApiContext, projectId: string, ref: string) {
  const entry = isUuid(ref)
    ? await ctx.store.get(ctx.keys.sshKeys.one(projectId, ref), SshKey)
    : await byName(ctx, 'ssh-keys', projectId, ref, (id) => ctx.keys.sshKeys.one(projectId, id), SshKey);
  return entry?.value.projectId === projectId ? entry : undefined;
}

/** Like the finders, but a missing resource is a 404 naming what was asked for. */
export async function mustFind<T>(found: Promise<T | undefined>, what: string): Promise<T> {
  const value = await found;
  if (value === undefined) throw new NuboError('NUBO_NOT_FOUND', `${what} not found`);
  return value;
}
