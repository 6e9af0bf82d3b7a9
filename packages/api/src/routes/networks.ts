import { randomUUID } from 'node:crypto';
import { ConflictError, type Entry, Network, NetworkCreateInput, NuboError, Vm } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { loadProject } from '../auth.js';
import type { ApiContext } from '../context.js';
import { nameTaken } from '../services/names.js';
import {
  checkIpv4Network,
  exhausted,
  parsePrefix48,
  randomSegment,
  randomSubnet,
  subnet64,
} from '../services/network-alloc.js';
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
      const { entries } = await ctx.store.list(ctx.keys.networks.prefix, Network);
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
    { schema: { ...doc('networks', 'Delete a network no VM uses'), params: ProjectItemParams } },
    async (request, reply) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      await deleteNetwork(ctx, await loadNetwork(ctx, project.value.id, request.params.id));
      void reply.status(204);
    },
  );
}

async function loadNetwork(ctx: ApiContext, projectId: string, id: string): Promise<Entry<Network>> {
  const entry = await ctx.store.get(ctx.keys.networks.one(id), Network);
  if (!entry || entry.value.projectId !== projectId)
    throw new NuboError('NUBO_NOT_FOUND', 'network not found');
  return entry;
}

/**
 * Two steps, so a VM create cannot slip in between the check and the delete:
 * first the network leaves `active` (creates compare the network, so none
 * commits after this), then, if no VM uses it, it goes with its index keys.
 */
async function deleteNetwork(ctx: ApiContext, entry: Entry<Network>): Promise<void> {
  const net = entry.value;
  const closing = { ...net, state: 'scrub_queue' as const };
  const rev = await ctx.store.txn().compare(entry.key, entry.modRevision).put(entry.key, closing).commit();
  const { entries } = await ctx.store.list(ctx.keys.vms.prefix, Vm);
  const users = entries.filter(
    (e) => e.value.state !== 'closed' && e.value.nics.some((n) => n.networkId === net.id),
  );
  if (users.length > 0) {
    await ctx.store.txn().compare(entry.key, rev).put(entry.key, net).commit();
    throw new NuboError(
      'NUBO_IN_USE',
      `network ${net.name} is used by ${users.map((u) => u.value.name).join(', ')}`,
    );
  }
  await ctx.store
    .txn()
    .compare(entry.key, rev)
    .delete(entry.key)
    .delete(ctx.keys.names.one('networks', net.projectId, net.name))
    .delete(ctx.keys.networkPrefixes.one(net.ipv6Prefix))
    .delete(ctx.keys.segments.one(net.segment))
    .commit();
}
