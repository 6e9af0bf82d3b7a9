import { randomUUID } from 'node:crypto';
import { ConflictError, Network, NetworkCreateInput } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { loadProject } from '../auth.js';
import type { ApiContext } from '../context.js';
import { listValid } from '../services/listing.js';
import { nameTaken } from '../services/names.js';
import {
  checkIpv4Network,
  exhausted,
  parsePrefix48,
  randomSegment,
  randomSubnet,
  subnet64,
} from '../services/network-alloc.js';
import { deleteNetwork, loadNetwork, restoreNetwork } from '../services/scrub-queue.js';
import { doc, type ProjectItemP, ProjectItemParams, type ProjectP, ProjectParams } from './schemas.js';

const ATTEMPTS = 16;

export function networkRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const region = parsePrefix48(ctx.config.regionIpv6Prefix);

  app.post<{ Params: ProjectP; Body: NetworkCreateInput }>(
    '/projects/:project/networks',
    {
      schema: {
        ...doc('networks', 'Create a network with its own IPv6 /64'),
        params: ProjectParams,
        body: NetworkCreateInput,
      },
    },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      if (request.body.ipv4Cidr) checkIpv4Network(request.body.ipv4Cidr);
      const nameKey = ctx.keys.names.one('networks', project.value.id, request.body.name);
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const network: Network = {
          id: randomUUID(),
          projectId: project.value.id,
          name: request.body.name,
          ipv6Prefix: subnet64(region, randomSubnet()),
          ...(request.body.ipv4Cidr ? { ipv4Cidr: request.body.ipv4Cidr } : {}),
          segment: randomSegment(ctx.config.maxSegment),
          state: 'active',
          createdAt: new Date().toISOString(),
        };
        try {
          await ctx.store
            .txn()
            .create(nameKey, network.id)
            .create(ctx.keys.networkPrefixes.one(network.ipv6Prefix), network.id)
            .create(ctx.keys.segments.one(network.segment), network.id)
            .create(ctx.keys.networks.one(network.id), network)
            .commit();
          void reply.status(201);
          return { network };
        } catch (err) {
          // A /64 or segment someone else holds: pick again. A taken name is an answer.
          const answer = nameTaken(err, nameKey, `a network named ${network.name}`);
          if (!(answer instanceof ConflictError)) throw answer;
        }
      }
      throw exhausted('IPv6 /64 or segment');
    },
  );

  app.get<{ Params: ProjectP }>(
    '/projects/:project/networks',
    { schema: { ...doc('networks', 'List networks'), params: ProjectParams } },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      const entries = await listValid(ctx, ctx.keys.networks.prefix, Network);
      return { networks: entries.map((e) => e.value).filter((n) => n.projectId === project.value.id) };
    },
  );

  app.get<{ Params: ProjectItemP }>(
    '/projects/:project/networks/:id',
    { schema: { ...doc('networks', 'Show a network'), params: ProjectItemParams } },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      return { network: (await loadNetwork(ctx, project.value.id, request.params.id)).value };
    },
  );

  app.delete<{ Params: ProjectItemP }>(
    '/projects/:project/networks/:id',
    {
      schema: {
        ...doc(
          'networks',
          'Delete a network no live VM uses: it waits in the scrub queue for the grace period',
        ),
        params: ProjectItemParams,
      },
    },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      await deleteNetwork(ctx, project.value, request.params.id);
      void reply.status(204);
    },
  );

  app.post<{ Params: ProjectItemP }>(
    '/projects/:project/networks/:id/restore',
    {
      schema: {
        ...doc('networks', 'Restore a deleted network from the scrub queue'),
        params: ProjectItemParams,
      },
    },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      return { network: await restoreNetwork(ctx, project.value, request.params.id) };
    },
  );
}
