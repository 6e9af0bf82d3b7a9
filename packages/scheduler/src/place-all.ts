import { isStoreFault } from '@nubo/shared';
import type { SchedulerContext } from './context.js';
import { type BatchResult, type KnownRequest, placeBatch } from './place-batch.js';

/** Worst case per placement: 2 compares + 2 per new host, and 3 ops + 1 per new host. */
const TXN_OPS_PER_PLACEMENT = 4;

/** A request that failed on its own, with why: the caller puts it aside for a while. */
export interface FailedRequest {
  id: string;
  error: unknown;
}

export interface PlaceAllResult extends BatchResult {
  /** Requests that failed alone; every other request of the call was decided. */
  failed: FailedRequest[];
}

/**
 * Places any number of requests in as few transactions as etcd allows:
 * chunks of `maxTxnOps / 4`, and a chunk whose transaction would be too big
 * in bytes is halved until it fits. A chunk that fails for a reason one of
 * its requests may carry (a corrupt VM record, a value etcd refuses) is
 * halved too, down to the request that fails alone, so one bad request
 * never holds up the others; that request is returned in `failed`. A failure
 * no request can cause (etcd unreachable, a lost race) fails the whole call,
 * and the caller tries it again as it is.
 */
export async function placeAll(
  ctx: SchedulerContext,
  requestIds: string[],
  known: KnownRequest = () => undefined,
): Promise<PlaceAllResult> {
  const total: PlaceAllResult = { placed: 0, unresourced: 0, dropped: 0, failed: [] };
  const size = Math.max(1, Math.floor((ctx.maxTxnOps - 2) / TXN_OPS_PER_PLACEMENT));
  for (let i = 0; i < requestIds.length; i += size)
    add(total, await placeChunk(ctx, requestIds.slice(i, i + size), known));
  return total;
}

async function placeChunk(
  ctx: SchedulerContext,
  ids: string[],
  known: KnownRequest,
): Promise<PlaceAllResult> {
  try {
    return { ...(await placeBatch(ctx, ids, known)), failed: [] };
  } catch (err) {
    // etcd's own trouble or a lost race would fail every half alike: the caller tries again as it is.
    if (isStoreFault(err)) throw err;
    if (ids.length < 2)
      return { placed: 0, unresourced: 0, dropped: 0, failed: [{ id: ids[0]!, error: err }] };
    const half = Math.ceil(ids.length / 2);
    const first = await placeChunk(ctx, ids.slice(0, half), known);
    return add(first, await placeChunk(ctx, ids.slice(half), known));
  }
}

function add(into: PlaceAllResult, more: PlaceAllResult): PlaceAllResult {
  into.placed += more.placed;
  into.unresourced += more.unresourced;
  into.dropped += more.dropped;
  into.failed.push(...more.failed);
  return into;
}
