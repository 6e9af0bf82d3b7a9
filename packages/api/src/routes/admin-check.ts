import { checkRegion, Type } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { doc } from './schemas.js';

const Ratio = Type.Optional(Type.String({ pattern: '^(0\\.[0-9]*[1-9][0-9]*|[1-9][0-9]*(\\.[0-9]+)?)$' }));
/** Query values arrive as text; ratios default to the scheduler's defaults (docs/scheduler.md). */
const CheckQuery = Type.Object(
  {
    cpuRatio: Ratio,
    ramRatio: Ratio,
    diskRatio: Ratio,
    requestBoundSeconds: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,4}$' })),
  },
  { additionalProperties: false },
);
type CheckQuery = Partial<Record<'cpuRatio' | 'ramRatio' | 'diskRatio' | 'requestBoundSeconds', string>>;

/**
 * `GET /v1/admin/check`: the region's invariants checked against etcd at one
 * revision (records valid, running VMs on live hosts, capacity, unique
 * addresses, no stuck request). What hosts really run is not visible from
 * here; the chaos tests feed the checker that too.
 */
export function adminCheckRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: CheckQuery }>(
    '/admin/check',
    { schema: { ...doc('admin', "Check the region's invariants (admin)"), querystring: CheckQuery } },
    async (request) => {
      requireAdmin(request.user);
      const q = request.query;
      const report = await checkRegion(ctx.store, ctx.keys, {
        overcommit: {
          cpu: Number(q.cpuRatio ?? 4),
          ram: Number(q.ramRatio ?? 1),
          disk: Number(q.diskRatio ?? 1),
        },
        requestBoundMs: Number(q.requestBoundSeconds ?? 60) * 1000,
      });
      return { ok: report.violations.length === 0, ...report };
    },
  );
}
