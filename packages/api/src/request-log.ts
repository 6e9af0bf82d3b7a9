import type { FastifyInstance } from 'fastify';

/**
 * One log line per request, written when it ends: method, route pattern, URL
 * (its path), status and milliseconds. Fastify's own request logging writes two
 * lines (on arrival and at the end) through its req/res serializers; this is
 * half the log volume on the hot path and carries what an operator reads.
 * Never headers (so never the bearer token), never bodies, never the query
 * string (it can carry a filter a tenant typed).
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url,
        url: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
    done();
  });
}
