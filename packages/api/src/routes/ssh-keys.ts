import { randomUUID } from 'node:crypto';
import { SshKey, SshKeyCreateInput } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { loadProject } from '../auth.js';
import type { ApiContext } from '../context.js';
import { listValid } from '../services/listing.js';
import { nameTaken } from '../services/names.js';
import { deleteSshKey, restoreSshKey } from '../services/scrub-queue.js';
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
      const entries = await listValid(ctx, ctx.keys.sshKeys.ofProject(project.value.id), SshKey);
      return { sshKeys: entries.map((e) => e.value) };
    },
  );

  app.delete<{ Params: ProjectItemP }>(
    '/projects/:project/ssh-keys/:id',
    {
      schema: {
        ...doc('ssh-keys', 'Delete an SSH key (built VMs keep it): it waits in the scrub queue'),
        params: ProjectItemParams,
      },
    },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      await deleteSshKey(ctx, project.value, request.params.id);
      void reply.status(204);
    },
  );

  app.post<{ Params: ProjectItemP }>(
    '/projects/:project/ssh-keys/:id/restore',
    {
      schema: {
        ...doc('ssh-keys', 'Restore a deleted SSH key from the scrub queue'),
        params: ProjectItemParams,
      },
    },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      return { sshKey: await restoreSshKey(ctx, project.value, request.params.id) };
    },
  );
}
