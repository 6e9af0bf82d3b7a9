import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The API's Prometheus metrics, in a registry of its own (so several apps in one process do not clash). */
export interface ApiMetrics {
  registry: Registry;
  requests: Histogram<'method' | 'route' | 'status'>;
  vmCreates: Counter<'result'>;
  /** Creates that read etcd because the cached answer was stale, clashed or was a refusal. */
  vmCreateReads: Counter;
}

export function createMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nubo_api_' });
  const requests = new Histogram({
    name: 'nubo_api_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const vmCreates = new Counter({
    name: 'nubo_api_vm_creates_total',
    help: 'VM creates by result (created, replayed, refused)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const vmCreateReads = new Counter({
    name: 'nubo_api_vm_create_etcd_reads_total',
    help: 'VM create attempts that read etcd instead of the watched caches (a stale cache, a clash, a refusal)',
    registers: [registry],
  });
  return { registry, requests, vmCreates, vmCreateReads };
}

/** Times every request by its route pattern (never the raw URL: ids would explode the label set). */
export function installMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  // A callback hook, not an async one: no promise per request on the hot path.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.requests.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    void reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
