import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ajv, NuboError } from '@nubo/shared';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { authenticate } from './auth.js';
import { type ApiContext, type ApiDeps, createContext } from './context.js';
import { installErrorHandlers, replyWithError } from './errors.js';
import { createMetrics, installMetrics } from './metrics.js';
import { installRequestLog } from './request-log.js';
import { adminCheckRoutes } from './routes/admin-check.js';
import { billingRoutes } from './routes/billing.js';
import { eventRoutes } from './routes/events.js';
import { fileRoutes } from './routes/files.js';
import { hostRoutes } from './routes/hosts.js';
import { imageRoutes } from './routes/images.js';
import { networkRoutes } from './routes/networks.js';
import { projectRoutes } from './routes/projects.js';
import { sshKeyRoutes } from './routes/ssh-keys.js';
import { userRoutes } from './routes/users.js';
import { vmActionRoutes } from './routes/vm-actions.js';
import { vmRoutes } from './routes/vms.js';

/**
 * The region API as a fastify instance, not yet listening: tests drive it with
 * `inject()`, `main.ts` listens. It holds no state of its own; everything is in etcd.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimit,
    // Request logs carry method, url and status only: never headers, so never the bearer token.
    requestIdHeader: false,
    // One line per request instead of fastify's two (see request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    // The router's refusals (bad %-escape, overlong segment) in Nubo's shape too.
    frameworkErrors: replyWithError,
  });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  installErrorHandlers(app);
  const ctx = createContext(deps, createMetrics());
  installMetrics(app, ctx.metrics);
  installRequestLog(app);
  app.addHook('onClose', async () => {
    await Promise.all(Object.values(ctx.cache).map((c) => c.stop()));
  });
  await registerDocs(app);
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await ctx.store.get(`${ctx.keys.prefix}region`);
    return { status: 'ok' };
  });
  await app.register(async (v1) => registerV1(v1, ctx), { prefix: '/v1' });
  return app;
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Nubo region API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

async function registerV1(v1: FastifyInstance, ctx: ApiContext): Promise<void> {
  v1.decorateRequest('user', null as never);
  v1.addHook('onRequest', async (request) => {
    request.user = await authenticate(ctx, request);
  });
  // Files arrive as raw bytes; the route streams them to the file store itself.
  v1.removeContentTypeParser('text/plain');
  v1.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  // A route that takes a JSON body takes nothing else.
  // (a callback hook, not an async one: no promise per request on the hot path)
  v1.addHook('preValidation', (request, _reply, done) => {
    const type = request.headers['content-type'] ?? '';
    if (request.routeOptions.schema?.body && !/^application\/json\b/i.test(type)) {
      done(
        new NuboError(
          'NUBO_UNSUPPORTED_MEDIA',
          `send the body as application/json, not ${type || 'nothing'}`,
        ),
      );
      return;
    }
    done();
  });
  for (const routes of [
    userRoutes,
    projectRoutes,
    sshKeyRoutes,
    networkRoutes,
    fileRoutes,
    imageRoutes,
    hostRoutes,
    vmRoutes,
    vmActionRoutes,
    adminCheckRoutes,
    billingRoutes,
    eventRoutes,
  ]) {
    routes(v1, ctx);
  }
}
