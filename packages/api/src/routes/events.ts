import { lifecycleHandlers } from '@nubo/lifecycle';
import { Event, Timestamp, Type } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { loadProject } from '../auth.js';
import type { ApiContext } from '../context.js';
import { logLeftOut } from '../services/listing.js';
import { loadVm } from '../services/vm-actions.js';
import {
  doc,
  errorResponses,
  type ProjectItemP,
  ProjectItemParams,
  type ProjectP,
  ProjectParams,
} from './schemas.js';

/** Query values arrive as text: `limit` is 1..1000 written in digits. */
const EventsQuery = Type.Object(
  {
    since: Type.Optional(Timestamp),
    limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2}|1000)$', description: '1..1000' })),
  },
  { additionalProperties: false },
);
type EventsQuery = { since?: string; limit?: string };

const EventsBody = Type.Object({ events: Type.Array(Event) });

function lifecycleQuery(q: EventsQuery) {
  return { ...(q.since ? { since: q.since } : {}), ...(q.limit ? { limit: Number(q.limit) } : {}) };
}

/** The lifecycle's event history (derived by the lifecycle daemon), oldest first, per project and per VM. */
export function eventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // A project's events are its own prefix, but one bad event must not hide the rest.
  const lc = lifecycleHandlers(ctx.store, ctx.keys, logLeftOut(ctx));

  app.get<{ Params: ProjectP; Querystring: EventsQuery }>(
    '/projects/:project/events',
    {
      schema: {
        ...doc('events', "A project's events, oldest first (the newest `limit`, default 100)"),
        params: ProjectParams,
        querystring: EventsQuery,
        response: { 200: EventsBody, ...errorResponses },
      },
    },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      return lc.projectEvents(project.value.id, lifecycleQuery(request.query));
    },
  );

  app.get<{ Params: ProjectItemP; Querystring: EventsQuery }>(
    '/projects/:project/vms/:id/events',
    {
      schema: {
        ...doc('events', "A VM's events, oldest first"),
        params: ProjectItemParams,
        querystring: EventsQuery,
        response: { 200: EventsBody, ...errorResponses },
      },
    },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      // The VM must be this project's: another project's VM is "not found" like a missing one.
      const vm = await loadVm(ctx, project.value.id, request.params.id);
      return lc.vmEvents(project.value.id, vm.value.id, lifecycleQuery(request.query));
    },
  );
}
