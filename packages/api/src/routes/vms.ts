import { Vm, VmCreateInput } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { loadProject } from '../auth.js';
import type { ApiContext } from '../context.js';
import { listValid } from '../services/listing.js';
import { loadVm } from '../services/vm-actions.js';
import { checkIdempotencyKey, createVm } from '../services/vm-create.js';
import { doc, type ProjectItemP, ProjectItemParams, type ProjectP, ProjectParams } from './schemas.js';

export function vmRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Params: ProjectP; Body: VmCreateInput }>(
    '/projects/:project/vms',
    {
      schema: {
        ...doc(
          'vms',
          'Create a VM. With an Idempotency-Key header, a retried request answers 200 with the first VM instead of making another.',
        ),
        params: ProjectParams,
        body: VmCreateInput,
      },
    },
    async (request, reply) => {
      const key = checkIdempotencyKey(request.headers['idempotency-key'] as string | undefined);
      const project = await loadProject(ctx, request.user, request.params.project);
      try {
        const { vm, replayed } = await createVm(ctx, project, request.body, key);
        ctx.metrics.vmCreates.inc({ result: replayed ? 'replayed' : 'created' });
        void reply.status(replayed ? 200 : 201);
        return { vm };
      } catch (err) {
        ctx.metrics.vmCreates.inc({ result: 'refused' });
        throw err;
      }
    },
  );

  app.get<{ Params: ProjectP }>(
    '/projects/:project/vms',
    { schema: { ...doc('vms', 'List VMs (closed ones are left out)'), params: ProjectParams } },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      const entries = await listValid(ctx, ctx.keys.vms.prefix, Vm);
      return {
        vms: entries
          .map((e) => e.value)
          .filter((vm) => vm.projectId === project.value.id && vm.state !== 'closed'),
      };
    },
  );

  app.get<{ Params: ProjectItemP }>(
    '/projects/:project/vms/:id',
    { schema: { ...doc('vms', 'Show a VM'), params: ProjectItemParams } },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      return { vm: (await loadVm(ctx, project.value.id, request.params.id)).value };
    },
  );
}
