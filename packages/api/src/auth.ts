import { NuboError, Project, Token, User } from '@nubo/shared';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';
import { hashSecret } from './tokens.js';

const BEARER = /^Bearer\s+(\S+)$/i;

/** Finds the caller from `Authorization: Bearer <secret>`; anything else is 401, with one message for all cases. */
export async function authenticate(ctx: ApiContext, request: FastifyRequest): Promise<User> {
  const match = BEARER.exec(request.headers.authorization ?? '');
  if (!match) throw new NuboError('NUBO_UNAUTHENTICATED');
  const tokenKey = ctx.keys.tokens.one(hashSecret(match[1]!));
  const token = ctx.cache.tokens.get(tokenKey) ?? (await ctx.store.get(tokenKey, Token))?.value;
  if (!token || (token.expiresAt && Date.parse(token.expiresAt) < Date.now())) {
    throw new NuboError('NUBO_UNAUTHENTICATED', 'the token is not valid');
  }
  const userKey = ctx.keys.users.one(token.userId);
  const user = ctx.cache.users.get(userKey) ?? (await ctx.store.get(userKey, User))?.value;
  if (!user) throw new NuboError('NUBO_UNAUTHENTICATED', 'the token is not valid');
  return user;
}

export function requireAdmin(user: User): void {
  if (user.role !== 'admin') throw new NuboError('NUBO_FORBIDDEN');
}

export function canSee(user: User, project: Project): boolean {
  return user.role === 'admin' || project.members.includes(user.id);
}

/** A project as the access check found it (possibly from the cache: no revision to compare). */
export interface ProjectRef {
  key: string;
  value: Project;
}

/**
 * The project, if the caller belongs to it (admins belong everywhere). A
 * project the caller may not see is "not found", exactly like one that does
 * not exist, so ids cannot be probed.
 */
export async function loadProject(ctx: ApiContext, user: User, projectId: string): Promise<ProjectRef> {
  const key = ctx.keys.projects.one(projectId);
  const cached = ctx.cache.projects.get(key);
  // Only a positive cached answer is trusted; a miss reads etcd.
  if (cached && canSee(user, cached)) return { key, value: cached };
  const entry = await ctx.store.get(key, Project);
  if (!entry || !canSee(user, entry.value)) throw new NuboError('NUBO_NOT_FOUND', 'project not found');
  return { key, value: entry.value };
}
