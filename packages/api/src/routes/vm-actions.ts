import { VmMigrateInput, VmResizeInput } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { loadProject, requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { deleteVm, evacuateVm, migrateVm, powerAction, resizeVm, restoreVm } from '../services/vm-actions.js';
import { doc, type ProjectItemP, ProjectItemParams } from './schemas.js';

/** The state machine's user actions; each answers 202 with the VM in its new (transitional) state. */
export function vmActionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const base = '/projects/:project/vms/:id';
  for (const action of ['start', 'stop', 'restart'] as const) {
    app.post<{ Params: ProjectItemP }>(
      `${base}/${action}`,
      {
        schema: {
          ...doc('vms', `${action[0]!.toUpperCase()}${action.slice(1)} a VM`),
          params: ProjectItemParams,
        },
      },
      async (request, reply) => {
        const project = await loadProject(ctx, request.user, request.params.project);
        void reply.status(202);
        return { vm: await powerAction(ctx, project.value.id, request.params.id, action) };
      },
    );
  }

  app.post<{ Params: ProjectItemP; Body: VmResizeInput }>(
    `${base}/resize`,
    {
      schema: {
        ...doc('vms', 'Resize a VM (disks only grow)'),
        params: ProjectItemParams,
        body: VmResizeInput,
      },
    },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      void reply.status(202);
      return { vm: await resizeVm(ctx, project.value, request.params.id, request.body) };
    },
  );

  app.post<{ Params: ProjectItemP; Body: VmMigrateInput }>(
    `${base}/migrate`,
    {
      schema: {
        ...doc('vms', 'Migrate a VM to a named host (admin)'),
        params: ProjectItemParams,
        body: VmMigrateInput,
      },
    },
    async (request, reply) => {
      requireAdmin(request.user);
      const project = await loadProject(ctx, request.user, request.params.project);
      void reply.status(202);
      return { vm: await migrateVm(ctx, project.value.id, request.params.id, request.body) };
    },
  );

  app.post<{ Params: ProjectItemP }>(
    `${base}/evacuate`,
    { schema: { ...doc('vms', 'Place a VM lost with its host again (admin)'), params: ProjectItemParams } },
    async (request, reply) => {
      requireAdmin(request.user);
      const project = await loadProject(ctx, request.user, request.params.project);
      void reply.status(202);
      return { vm: await evacuateVm(ctx, project.value.id, request.params.id) };
    },
  );

  app.delete<{ Params: ProjectItemP }>(
    base,
    {
      schema: {
        ...doc('vms', 'Delete a VM: it waits in the scrub queue for the grace period'),
        params: ProjectItemParams,
      },
    },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      void reply.status(202);
      return { vm: await deleteVm(ctx, project.value, request.params.id) };
    },
  );

  app.post<{ Params: ProjectItemP }>(
    `${base}/restore`,
    { schema: { ...doc('vms', 'Restore a deleted VM from the scrub queue'), params: ProjectItemParams } },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      void reply.status(202);
      return { vm: await restoreVm(ctx, project.value, request.params.id) };
    },
  );
}
