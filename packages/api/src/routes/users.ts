import {
  Id,
  NuboError,
  Token,
  Type,
  User,
  type UserCreateInput,
  UserCreateInput as UserCreateSchema,
} from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { listValid } from '../services/listing.js';
import { createUserWithToken, mintToken, publicToken } from '../tokens.js';
import { doc, errorResponses, IdParams } from './schemas.js';

/** Users (admin), the caller itself, and tokens. A token's secret is returned once, at creation. */
export function userRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/me', { schema: { ...doc('users', 'Who am I'), response: errorResponses } }, async (request) => ({
    user: request.user,
  }));

  app.post<{ Body: UserCreateInput }>(
    '/users',
    {
      schema: {
        ...doc('users', 'Create a user (admin); returns its first token once'),
        body: UserCreateSchema,
      },
    },
    async (request, reply) => {
      requireAdmin(request.user);
      const { name, email, role } = request.body;
      const made = await createUserWithToken(ctx.store, ctx.keys, {
        name,
        role: role ?? 'member',
        ...(email ? { email } : {}),
      });
      void reply.status(201);
      return { user: made.user, token: made.secret, tokenId: made.tokenId };
    },
  );

  app.get('/users', { schema: doc('users', 'List users (admin)') }, async (request) => {
    requireAdmin(request.user);
    const entries = await listValid(ctx, ctx.keys.users.prefix, User);
    return { users: entries.map((e) => e.value) };
  });

  app.post<{ Params: { id: string } }>(
    '/users/:id/tokens',
    { schema: { ...doc('users', 'Create a token for a user (admin, or yourself)'), params: IdParams } },
    async (request, reply) => {
      const { id } = request.params;
      if (request.user.id !== id) requireAdmin(request.user);
      const user = await ctx.store.get(ctx.keys.users.one(id), User);
      if (!user) throw new NuboError('NUBO_NOT_FOUND', 'user not found');
      const { secret, token } = mintToken(id);
      await ctx.store
        .txn()
        .compare(user.key, user.modRevision)
        .create(ctx.keys.tokens.one(token.hash), token)
        .commit();
      void reply.status(201);
      return { token: secret, ...publicToken(token) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/users/:id/tokens',
    { schema: { ...doc('users', "List a user's tokens, without secrets or hashes"), params: IdParams } },
    async (request) => {
      if (request.user.id !== request.params.id) requireAdmin(request.user);
      const entries = await listValid(ctx, ctx.keys.tokens.prefix, Token);
      return {
        tokens: entries.filter((e) => e.value.userId === request.params.id).map((e) => publicToken(e.value)),
      };
    },
  );

  app.delete<{ Params: { id: string; tokenId: string } }>(
    '/users/:id/tokens/:tokenId',
    {
      schema: {
        ...doc('users', 'Revoke a token (admin, or yourself)'),
        params: Type.Object(
          { id: Id, tokenId: Type.String({ minLength: 1, maxLength: 64 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      if (request.user.id !== request.params.id) requireAdmin(request.user);
      const entries = await listValid(ctx, ctx.keys.tokens.prefix, Token);
      const entry = entries.find(
        (e) => e.value.userId === request.params.id && e.value.id === request.params.tokenId,
      );
      if (!entry) throw new NuboError('NUBO_NOT_FOUND', 'token not found');
      await ctx.store.txn().compare(entry.key, entry.modRevision).delete(entry.key).commit();
      void reply.status(204);
    },
  );
}
