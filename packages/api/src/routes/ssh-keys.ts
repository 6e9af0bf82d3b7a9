import { randomUUID } from 'node:crypto';
import { NuboError, SshKey, SshKeyCreateInput } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { loadProject } from '../auth.js';
import type { ApiContext } from '../context.js';
import { nameTaken } from '../services/names.js';
import { parsePublicKey } from '../services/ssh-key.js';
import { doc, type ProjectItemP, ProjectItemParams, type ProjectP, ProjectParams } from './schemas.js';

export function sshKeyRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: ProjectP; Body: SshKeyCreateInput }>(
    '/projects/:project/ssh-keys',
    {
      schema: { ...doc('ssh-keys', 'Add an SSH public key'), params: ProjectParams, body: SshKeyCreateInput },
    },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      const parsed = parsePublicKey(request.body.publicKey);
      const key: SshKey = {
        id: randomUUID(),
        projectId: project.value.id,
        name: request.body.name,
        ...parsed,
        createdAt: new Date().toISOString(),
      };
      try {
        await ctx.store
          .txn()
          .create(ctx.keys.names.one('ssh-keys', key.projectId, key.name), key.id)
          .create(ctx.keys.sshKeys.one(key.projectId, key.id), key)
          .commit();
      } catch (err) {
        throw nameTaken(
          err,
          ctx.keys.names.one('ssh-keys', key.projectId, key.name),
          `an SSH key named ${key.name}`,
        );
      }
      void reply.status(201);
      return { sshKey: key };
    },
  );

  app.get<{ Params: ProjectP }>(
    '/projects/:project/ssh-keys',
    { schema: { ...doc('ssh-keys', 'List SSH keys'), params: ProjectParams } },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      const { entries } = await ctx.store.list(ctx.keys.sshKeys.ofProject(project.value.id), SshKey);
      return { sshKeys: entries.map((e) => e.value) };
    },
  );

  app.delete<{ Params: ProjectItemP }>(
    '/projects/:project/ssh-keys/:id',
    { schema: { ...doc('ssh-keys', 'Delete an SSH key (running VMs keep it)'), params: ProjectItemParams } },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      const entry = await ctx.store.get(ctx.keys.sshKeys.one(project.value.id, request.params.id), SshKey);
      if (!entry) throw new NuboError('NUBO_NOT_FOUND', 'SSH key not found');
      await ctx.store
        .txn()
        .compare(entry.key, entry.modRevision)
        .delete(entry.key)
        .delete(ctx.keys.names.one('ssh-keys', project.value.id, entry.value.name))
        .commit();
      void reply.status(204);
    },
  );
}
