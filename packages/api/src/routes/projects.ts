import { randomUUID } from 'node:crypto';
import {
  DEFAULT_QUOTA,
  MemberInput,
  NuboError,
  Project,
  type ProjectCreateInput,
  ProjectCreateInput as ProjectCreateSchema,
  QuotaInput,
  Type,
  User,
} from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { canSee, loadProject, requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { listValid } from '../services/listing.js';
import { isUuid } from '../services/lookup.js';
import { createProject, deleteProject } from '../services/project-lifecycle.js';
import { readUsage } from '../services/quota.js';
import { diskGiB, ramMiB } from '../services/sizes.js';
import { doc, type ProjectP, ProjectParams } from './schemas.js';

export function projectRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: ProjectCreateInput }>(
    '/projects',
    { schema: { ...doc('projects', 'Create a project owned by the caller'), body: ProjectCreateSchema } },
    async (request, reply) => {
      const project: Project = {
        id: randomUUID(),
        name: request.body.name,
        ownerId: request.user.id,
        members: [request.user.id],
        quota: { ...DEFAULT_QUOTA },
        graceDays: request.body.graceDays ?? ctx.config.defaultGraceDays,
        createdAt: new Date().toISOString(),
      };
      // The project's PodNet router is written with it (services/router.ts).
      await createProject(ctx, project);
      void reply.status(201);
      return { project };
    },
  );

  app.delete<{ Params: ProjectP }>(
    '/projects/:project',
    {
      schema: {
        ...doc('projects', 'Delete a project with nothing live in it, and its router (owner or admin)'),
        params: ProjectParams,
      },
    },
    async (request, reply) => {
      const project = await loadOwned(ctx, request.user, request.params.project, 'delete the project');
      await deleteProject(ctx, project.value.id);
      void reply.status(204);
    },
  );

  app.get(
    '/projects',
    { schema: doc('projects', 'List the projects the caller belongs to (admins: all)') },
    async (request) => {
      const entries = await listValid(ctx, ctx.keys.projects.prefix, Project);
      return { projects: entries.map((e) => e.value).filter((p) => canSee(request.user, p)) };
    },
  );

  app.get<{ Params: ProjectP }>(
    '/projects/:project',
    { schema: { ...doc('projects', 'Show a project with its quota usage'), params: ProjectParams } },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      const usage = await readUsage(ctx.store, ctx, project.value.id);
      return { project: project.value, usage: usage.value };
    },
  );

  app.put<{ Params: ProjectP; Body: QuotaInput }>(
    '/projects/:project/quota',
    {
      schema: {
        ...doc('projects', "Set a project's quota (admin)"),
        params: ProjectParams,
        body: QuotaInput,
      },
    },
    async (request) => {
      requireAdmin(request.user);
      const project = await loadProject(ctx, request.user, request.params.project);
      const { vms, cpus, ram, disk } = request.body;
      const change = {
        ...(vms !== undefined ? { vms } : {}),
        ...(cpus !== undefined ? { cpus } : {}),
        ...(ram !== undefined ? { ramMiB: ramMiB(ram, '/ram', 0, Number.MAX_SAFE_INTEGER) } : {}),
        ...(disk !== undefined ? { diskGiB: diskGiB(disk, '/disk', 0, Number.MAX_SAFE_INTEGER) } : {}),
      };
      const updated = await ctx.store.update(project.key, Project, (p) => ({
        ...p,
        quota: { ...p.quota, ...change },
      }));
      return { project: updated.value };
    },
  );

  app.post<{ Params: ProjectP; Body: MemberInput }>(
    '/projects/:project/members',
    {
      schema: {
        ...doc('projects', 'Add a member (owner or admin)'),
        params: ProjectParams,
        body: MemberInput,
      },
    },
    async (request) => {
      const project = await loadOwned(ctx, request.user, request.params.project);
      const member = await findUser(ctx, request.body.user);
      const updated = await ctx.store.update(project.key, Project, (p) => ({
        ...p,
        members: p.members.includes(member.id) ? p.members : [...p.members, member.id],
      }));
      return { project: updated.value };
    },
  );

  app.delete<{ Params: ProjectP & { user: string } }>(
    '/projects/:project/members/:user',
    {
      schema: {
        ...doc('projects', 'Remove a member (owner or admin); the owner stays'),
        params: Type.Object({
          project: ProjectParams.properties.project,
          user: Type.String({ minLength: 1, maxLength: 64 }),
        }),
      },
    },
    async (request) => {
      const project = await loadOwned(ctx, request.user, request.params.project);
      const member = await findUser(ctx, request.params.user);
      if (member.id === project.value.ownerId) {
        throw new NuboError('NUBO_VALIDATION', 'the owner cannot leave the project', {
          details: [{ field: 'params/user', message: 'is the owner' }],
        });
      }
      const updated = await ctx.store.update(project.key, Project, (p) => ({
        ...p,
        members: p.members.filter((m) => m !== member.id),
      }));
      return { project: updated.value };
    },
  );
}

async function loadOwned(ctx: ApiContext, user: User, projectId: string, what = 'change members') {
  const project = await loadProject(ctx, user, projectId);
  if (user.role !== 'admin' && project.value.ownerId !== user.id) {
    throw new NuboError('NUBO_FORBIDDEN', `only the project owner or an admin can ${what}`);
  }
  return project;
}

/** A user by id or name. */
async function findUser(ctx: ApiContext, ref: string): Promise<User> {
  const id = isUuid(ref) ? ref : (await ctx.store.get(ctx.keys.userNames.one(ref)))?.value;
  const user = id ? await ctx.store.get(ctx.keys.users.one(String(id)), User) : undefined;
  if (!user) throw new NuboError('NUBO_NOT_FOUND', `user ${ref} not found`);
  return user.value;
}
