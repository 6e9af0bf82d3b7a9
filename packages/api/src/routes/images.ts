import { randomUUID } from 'node:crypto';
import { fieldError, Image, ImageCreateInput, NuboError, Type, Vm } from '@nubo/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loadProject, requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { FileStore } from '../services/file-store.js';
import { formatProblem, importImage } from '../services/image-import.js';
import { listValid } from '../services/listing.js';
import { nameTaken } from '../services/names.js';
import { doc, IdParams, ProjectItemParams, ProjectParams } from './schemas.js';

type P = { project?: string; id?: string };

/** Images of a project (members) or public ones (admins), from a file in the store or a URL. */
export function imageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const files = new FileStore(ctx.config.fileStoreDir);
  const scopeOf = async (request: FastifyRequest<{ Params: P }>, write: boolean) => {
    if (request.params.project)
      return (await loadProject(ctx, request.user, request.params.project)).value.id;
    if (write) requireAdmin(request.user);
    return 'public';
  };
  const visible = (scope: string, img: Image) =>
    img.projectId === undefined || (scope !== 'public' && img.projectId === scope);

  for (const [base, params, itemParams] of [
    ['/projects/:project/images', ProjectParams, ProjectItemParams],
    ['/images', Type.Object({}), IdParams],
  ] as const) {
    app.post<{ Params: P; Body: ImageCreateInput }>(
      base,
      {
        schema: {
          ...doc('images', 'Create an image from a stored file or a URL'),
          params,
          body: ImageCreateInput,
        },
      },
      async (request, reply) => {
        const scope = await scopeOf(request, true);
        const image = await createImage(ctx, files, scope, request.body);
        void reply.status(201);
        return { image };
      },
    );
    app.get<{ Params: P }>(
      base,
      { schema: { ...doc('images', 'List images (with public ones)'), params } },
      async (request) => {
        const scope = await scopeOf(request, false);
        const entries = await listValid(ctx, ctx.keys.images.prefix, Image);
        return { images: entries.map((e) => e.value).filter((img) => visible(scope, img)) };
      },
    );
    app.get<{ Params: P }>(
      `${base}/:id`,
      { schema: { ...doc('images', 'Show an image'), params: itemParams } },
      async (request) => {
        const scope = await scopeOf(request, false);
        const entry = await ctx.store.get(ctx.keys.images.one(request.params.id!), Image);
        if (!entry || !visible(scope, entry.value)) throw new NuboError('NUBO_NOT_FOUND', 'image not found');
        return { image: entry.value };
      },
    );
    app.delete<{ Params: P }>(
      `${base}/:id`,
      { schema: { ...doc('images', 'Delete an image no unbuilt VM waits for'), params: itemParams } },
      async (request, reply) => {
        const scope = await scopeOf(request, true);
        const entry = await ctx.store.get(ctx.keys.images.one(request.params.id!), Image);
        if (!entry || (entry.value.projectId ?? 'public') !== scope)
          throw new NuboError('NUBO_NOT_FOUND', 'image not found');
        const { entries } = await ctx.store.list(ctx.keys.vms.prefix, Vm);
        const waiting = entries.filter(
          (e) => e.value.imageId === entry.value.id && ['requested', 'building'].includes(e.value.state),
        );
        if (waiting.length > 0)
          throw new NuboError(
            'NUBO_IN_USE',
            `image ${entry.value.name} is being built into ${waiting.length} VM(s)`,
          );
        await ctx.store
          .txn()
          .compare(entry.key, entry.modRevision)
          .delete(entry.key)
          .delete(ctx.keys.names.one('images', scope, entry.value.name))
          .commit();
        void reply.status(204);
      },
    );
  }
}

async function createImage(
  ctx: ApiContext,
  files: FileStore,
  scope: string,
  input: ImageCreateInput,
): Promise<Image> {
  if ((input.file === undefined) === (input.url === undefined)) {
    throw fieldError('NUBO_VALIDATION', '/file', 'give exactly one of file and url');
  }
  const id = randomUUID();
  const source = input.file ? `${scope}/${input.file}` : `${scope}/image-${id}`;
  if (input.file) {
    await files.stat(scope, input.file).catch(() => {
      throw fieldError(
        'NUBO_VALIDATION',
        '/file',
        `no file ${input.file} in the file store; upload it first`,
      );
    });
    const problem = formatProblem(input.format, await files.head(source));
    if (problem) throw fieldError('NUBO_VALIDATION', '/format', problem);
  }
  const image: Image = {
    id,
    ...(scope === 'public' ? {} : { projectId: scope }),
    name: input.name,
    format: input.format,
    source,
    sizeBytes: 0,
    hypervisors: input.hypervisors ?? ['libvirt', 'fake'],
    state: input.file ? 'importing' : 'pending',
    createdAt: new Date().toISOString(),
  };
  const nameKey = ctx.keys.names.one('images', scope, image.name);
  try {
    await ctx.store.txn().create(nameKey, id).create(ctx.keys.images.one(id), image).commit();
  } catch (err) {
    throw nameTaken(err, nameKey, `an image named ${image.name}`);
  }
  const from = input.url
    ? { kind: 'url' as const, url: input.url, scope, name: `image-${id}` }
    : { kind: 'file' as const };
  void importImage(ctx, files, id, from);
  return image;
}
