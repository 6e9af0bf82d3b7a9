import { type Entry, NuboError, Project, Token, User } from '@nubo/shared';
import type { FastifyRequest } from 'fastify';
import type { ApiContext } from './context.js';
import { hashSecret } from './tokens.js';

const BEARER = /^Bearer\s+(\S+)$/i;

/** Finds the caller from `Authorization: Bearer <secret>`; anything else is 401, with one message for all cases. */
export async function authenticate(ctx: ApiContext, request: FastifyRequest): Promise<User> {
  const match = BEARER.exec(request.headers.authorization ?? '');
  if (!match) throw new NuboError('NUBO_UNAUTHENTICATED');
  const token = await ctx.store.get(ctx.keys.tokens.one(hashSecret(match[1]!)), Token);
  if (!token || (token.value.expiresAt && Date.parse(token.value.expiresAt) < Date.now())) {
    throw new NuboError('NUBO_UNAUTHENTICATED', 'the token is not valid');
  }
  const user = await ctx.store.get(ctx.keys.users.one(token.value.userId), User);
  if (!user) throw new NuboError('NUBO_UNAUTHENTICATED', 'the token is not valid');
  return user.value;
}

export function requireAdmin(user: User): void {
  if (user.role !== 'admin') throw new NuboError('NUBO_FORBIDDEN');
}

export function canSee(user: User, project: Project): boolean {
  return user.role === 'admin' || project.members.includes(user.id);
}

/**
 * The project, if the caller belongs to it (admins belong everywhere). A
 * project the caller may not see is "not found", exactly like one that does
 * not exist, so ids cannot be probed.
 */
export async function loadProject(ctx: ApiContext, user: User, projectId: string): Promise<Entry<Project>> {
  const entry = await ctx.store.get(ctx.keys.projects.one(projectId), Project);
  if (!entry || !canSee(user, entry.value)) throw new NuboError('NUBO_NOT_FOUND', 'project not found');
  return entry;
}
