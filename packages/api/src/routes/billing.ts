import { type LifecycleHandlers, lifecycleHandlers } from '@nubo/lifecycle';
import { Sku, SkuCreateInput, SkuId, SkuPriceInput, Timestamp, Type } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { loadProject, requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { doc, errorResponses, type ProjectP, ProjectParams } from './schemas.js';

/** `?from&to`: both optional; the default is the current calendar month (UTC) up to now. */
const BillQuery = Type.Object(
  { from: Type.Optional(Timestamp), to: Type.Optional(Timestamp) },
  { additionalProperties: false },
);
type BillQuery = { from?: string; to?: string };

const BillLine = Type.Object({
  sku: Type.String(),
  unit: Type.String(),
  unitHours: Type.String({ description: 'units × hours, 6 decimals' }),
  amountMicro: Type.Integer(),
  amount: Type.String(),
});
const BillBody = Type.Object({
  projectId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  resources: Type.Array(
    Type.Object({
      resourceType: Type.String(),
      resourceId: Type.String(),
      resourceName: Type.Optional(Type.String()),
      amountMicro: Type.Integer(),
      amount: Type.String(),
      lines: Type.Array(BillLine),
    }),
  ),
  skus: Type.Array(BillLine, { description: 'the lines summed per SKU' }),
  totalMicro: Type.Integer(),
  total: Type.String({ description: 'exact, 6 decimals' }),
  totalCents: Type.String({ description: 'rounded half-up to the cent' }),
});

const SkuParams = Type.Object({ id: SkuId }, { additionalProperties: false });

/** Bills (project members) and SKUs (anyone reads prices; admins write them), mounted from @nubo/lifecycle. */
export function billingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const lc: LifecycleHandlers = lifecycleHandlers(ctx.store, ctx.keys);

  app.get<{ Params: ProjectP; Querystring: BillQuery }>(
    '/projects/:project/bill',
    {
      schema: {
        ...doc('billing', "A project's cost per resource and per SKU over [from, to)"),
        params: ProjectParams,
        querystring: BillQuery,
        response: { 200: BillBody, ...errorResponses },
      },
    },
    async (request) => {
      const project = await loadProject(ctx, request.user, request.params.project);
      const now = new Date();
      const from = request.query.from ?? monthStart(now).toISOString();
      const to = request.query.to ?? now.toISOString();
      return lc.bill(project.value.id, { from, to });
    },
  );

  app.get(
    '/skus',
    {
      schema: {
        ...doc('billing', 'List SKUs with their price history'),
        response: { 200: Type.Object({ skus: Type.Array(Sku) }), ...errorResponses },
      },
    },
    async () => lc.listSkus(),
  );

  app.get<{ Params: { id: string } }>(
    '/skus/:id',
    {
      schema: {
        ...doc('billing', 'Show a SKU'),
        params: SkuParams,
        response: { 200: Sku, ...errorResponses },
      },
    },
    async (request) => lc.getSku(request.params.id),
  );

  app.post<{ Body: SkuCreateInput }>(
    '/skus',
    {
      schema: {
        ...doc('billing', 'Create a SKU with its first price (admin)'),
        body: SkuCreateInput,
        response: { 201: Sku, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAdmin(request.user);
      const sku = await lc.createSku(request.body);
      void reply.status(201);
      return sku;
    },
  );

  app.post<{ Params: { id: string }; Body: SkuPriceInput }>(
    '/skus/:id/prices',
    {
      schema: {
        ...doc('billing', 'Change a SKU price from a time on (admin)'),
        params: SkuParams,
        body: SkuPriceInput,
        response: { 201: Sku, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireAdmin(request.user);
      const sku = await lc.addPrice(request.params.id, request.body);
      void reply.status(201);
      return sku;
    },
  );
}

function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
