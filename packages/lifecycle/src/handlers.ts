import type { Keys, OnInvalid, Store } from '@nubo/shared';
import { computeBill } from './bill.js';
import { listEvents } from './events.js';
import { addPrice, createSku, getSku, listSkus } from './skus.js';

/**
 * What the API mounts, one function per route (shapes in docs/lifecycle.md).
 * Each takes the already-authorised caller's parameters and the raw query or
 * body, validates it (NUBO_VALIDATION naming the field) and returns the JSON
 * to send. Authorisation (project member; admin for SKUs) is the API's.
 */
export function lifecycleHandlers(
  store: Store,
  keys: Keys,
  /** An event record that does not parse: left out of the event listings and reported here. */
  onInvalidEvent?: OnInvalid,
) {
  return {
    /** GET /v1/projects/:p/bill?from&to */
    bill: (projectId: string, query: unknown) => computeBill(store, keys, projectId, query),
    /** GET /v1/projects/:p/events?since&limit */
    projectEvents: async (projectId: string, query: unknown) => ({
      events: await listEvents(store, keys, projectId, query, { onInvalid: onInvalidEvent }),
    }),
    /** GET /v1/projects/:p/vms/:id/events?since&limit */
    vmEvents: async (projectId: string, vmId: string, query: unknown) => ({
      events: await listEvents(store, keys, projectId, query, {
        resourceId: vmId,
        onInvalid: onInvalidEvent,
      }),
    }),
    /** GET /v1/skus (any user may read prices) */
    listSkus: async () => ({ skus: await listSkus(store, keys) }),
    /** GET /v1/skus/:id */
    getSku: (skuId: string) => getSku(store, keys, skuId),
    /** POST /v1/skus (admin) → 201 */
    createSku: (body: unknown) => createSku(store, keys, body),
    /** POST /v1/skus/:id/prices (admin) → 201 */
    addPrice: (skuId: string, body: unknown) => addPrice(store, keys, skuId, body),
  };
}
export type LifecycleHandlers = ReturnType<typeof lifecycleHandlers>;
