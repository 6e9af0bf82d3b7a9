import type { SchedulerContext } from './context.js';
import { type BatchResult, type KnownRequest, placeBatch, TooLargeError } from './place-batch.js';

/** Worst case per placement: 2 compares + 2 per new host, and 3 ops + 1 per new host. */
const TXN_OPS_PER_PLACEMENT = 4;

/**
 * Places any number of requests in as few transactions as etcd allows:
 * chunks of `maxTxnOps / 4`, and a chunk whose transaction would be too big
 * in bytes is halved until it fits.
 */
export async function placeAll(
  ctx: SchedulerContext,
  requestIds: string[],
  known: KnownRequest = () => undefined,
): Promise<BatchResult> {
  const total: BatchResult = { placed: 0, unresourced: 0, dropped: 0 };
  const size = Math.max(1, Math.floor((ctx.maxTxnOps - 2) / TXN_OPS_PER_PLACEMENT));
  for (let i = 0; i < requestIds.length; i += size)
    add(total, await placeChunk(ctx, requestIds.slice(i, i + size), known));
  return total;
}

async function placeChunk(ctx: SchedulerContext, ids: string[], known: KnownRequest): Promise<BatchResult> {
  try {
    return await placeBatch(ctx, ids, known);
  } catch (err) {
    if (!(err instanceof TooLargeError) || ids.length < 2) throw err;
    const half = Math.ceil(ids.length / 2);
    const first = await placeChunk(ctx, ids.slice(0, half), known);
    return add(first, await placeChunk(ctx, ids.slice(half), known));
  }
}

function add(into: BatchResult, more: BatchResult): BatchResult {
  into.placed += more.placed;
  into.unresourced += more.unresourced;
  into.dropped += more.dropped;
  return into;
}
