import { NuboError, Type, type User } from '@nubo/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loadProject, requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { FileStore } from '../services/file-store.js';
import { doc, ProjectParams } from './schemas.js';

const FileParams = Type.Object({ project: ProjectParams.properties.project, name: Type.String() });
const PublicFileParams = Type.Object({ name: Type.String() });
type P = { project?: string; name?: string };

/** The scope a file route works in: a project the caller belongs to, or `public` (admins write it). */
async function scopeOf(
  ctx: ApiContext,
  request: FastifyRequest<{ Params: P }>,
  write: boolean,
): Promise<string> {
  const { project } = request.params;
  if (project) return (await loadProject(ctx, request.user, project)).value.id;
  if (write) requireAdmin(request.user as User);
  return 'public';
}

/** Uploads (raw bytes, `Content-Type: application/octet-stream`), listing and removal of files. */
export function fileRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const files = new FileStore(ctx.config.fileStoreDir);
  for (const [base, params] of [
    ['/projects/:project/files', FileParams],
    ['/files', PublicFileParams],
  ] as const) {
    const tag = base === '/files' ? ' (public; admins upload)' : '';
    app.put<{ Params: P }>(
      `${base}/:name`,
      { schema: { ...doc('files', `Upload a file${tag}`), params }, bodyLimit: ctx.config.fileLimit },
      async (request, reply) => {
        const scope = await scopeOf(ctx, request, true);
        const body = request.body as NodeJS.ReadableStream;
        // Only octet-stream arrives as a stream; a JSON body was parsed into a value.
        if (typeof body?.pipe !== 'function') {
          throw new NuboError('NUBO_UNSUPPORTED_MEDIA', 'send the file as application/octet-stream');
        }
        const file = await files.write(scope, request.params.name!, body, ctx.config.fileLimit);
        void reply.status(201);
        return { file };
      },
    );
    app.get<{ Params: P }>(
      base,
      {
        schema: {
          ...doc('files', `List files${tag}`),
          ...(base === '/files' ? {} : { params: ProjectParams }),
        },
      },
      async (request) => ({ files: await files.list(await scopeOf(ctx, request, false)) }),
    );
    app.delete<{ Params: P }>(
      `${base}/:name`,
      { schema: { ...doc('files', `Delete a file${tag}`), params } },
      async (request, reply) => {
        await files.remove(await scopeOf(ctx, request, true), request.params.name!);
        void reply.status(204);
      },
    );
  }
}
