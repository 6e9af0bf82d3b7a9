import { Allocation, Host, HostCreateInput, HostLiveness, NuboError } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { listValid } from '../services/listing.js';
import { nameTaken } from '../services/names.js';
import { diskGiB, ramMiB } from '../services/sizes.js';
import { doc, NameParams } from './schemas.js';

type P = { name: string };

/** Hosts (admin only): add, list with capacity, use and liveness, drain and enable. */
export function hostRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: HostCreateInput }>(
    '/hosts',
    { schema: { ...doc('hosts', 'Add a host (admin)'), body: HostCreateInput } },
    async (request, reply) => {
      requireAdmin(request.user);
      const b = request.body;
      const host: Host = {
        name: b.name,
        hypervisor: b.hypervisor,
        capacity: {
          cpus: b.cpus,
          ramMiB: ramMiB(b.ram, '/ram', 1, Number.MAX_SAFE_INTEGER),
          diskGiB: diskGiB(b.disk, '/disk', 1, Number.MAX_SAFE_INTEGER),
        },
        enabled: true,
        ...(b.address ? { address: b.address } : {}),
        createdAt: new Date().toISOString(),
      };
      const key = ctx.keys.hosts.one(host.name);
      try {
        await ctx.store.txn().create(key, host).commit();
      } catch (err) {
        throw nameTaken(err, key, `a host named ${host.name}`);
      }
      void reply.status(201);
      return { host };
    },
  );

  app.get(
    '/hosts',
    { schema: doc('hosts', 'List hosts with capacity, use and liveness (admin)') },
    async (request) => {
      requireAdmin(request.user);
      // A host with a record that does not fit is left out (logged; the admin
      // check names it) rather than shown as dead or empty, which it may not be.
      const k = ctx.keys;
      const leftOut = new Set<string>();
      const [hosts, alive, allocations] = await Promise.all([
        listValid(ctx, k.hosts.prefix, Host, leftOut),
        listValid(ctx, k.alive.prefix, HostLiveness, leftOut),
        listValid(ctx, k.allocations.prefix, Allocation, leftOut),
      ]);
      const unreadable = (name: string) =>
        [k.hosts.one(name), k.alive.one(name), k.allocations.one(name)].some((key) => leftOut.has(key));
      const aliveNames = new Set(alive.map((e) => e.value.name));
      const used = new Map(allocations.map((e) => [e.value.host, e.value]));
      return {
        hosts: hosts
          .filter((e) => !unreadable(e.value.name))
          .map(({ value: h }) => ({
            ...h,
            alive: aliveNames.has(h.name),
            used: used.get(h.name)?.used ?? { cpus: 0, ramMiB: 0, diskGiB: 0 },
            vms: Object.keys(used.get(h.name)?.vms ?? {}).length,
          })),
      };
    },
  );

  app.get<{ Params: P }>(
    '/hosts/:name',
    { schema: { ...doc('hosts', 'Show a host (admin)'), params: NameParams } },
    async (request) => {
      requireAdmin(request.user);
      const host = await ctx.store.get(ctx.keys.hosts.one(request.params.name), Host);
      if (!host) throw new NuboError('NUBO_NOT_FOUND', 'host not found');
      const alive = await ctx.store.get(ctx.keys.alive.one(host.value.name));
      return { host: { ...host.value, alive: alive !== undefined } };
    },
  );

  for (const [action, enabled] of [
    ['drain', false],
    ['enable', true],
  ] as const) {
    app.post<{ Params: P }>(
      `/hosts/:name/${action}`,
      {
        schema: {
          ...doc(
            'hosts',
            enabled ? 'Enable a host for new VMs (admin)' : 'Drain a host: place nothing new there (admin)',
          ),
          params: NameParams,
        },
      },
      async (request) => {
        requireAdmin(request.user);
        const key = ctx.keys.hosts.one(request.params.name);
        if (!(await ctx.store.get(key))) throw new NuboError('NUBO_NOT_FOUND', 'host not found');
        const host = await ctx.store.update(key, Host, (h) => ({ ...h, enabled }));
        return { host: host.value };
      },
    );
  }
}
