import type { SchedulerContext } from './context.js';
import { type BatchResult, type PipelineOptions, placeBatch, TooLargeError } from './place-batch.js';

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
  options: PipelineOptions = {},
): Promise<BatchResult> {
  const total: BatchResult = { placed: 0, unresourced: 0, dropped: 0 };
  const size = chunkSize(ctx);
  // A batch read ahead, and the signal to read the next, only fit a batch of one chunk.
  if (requestIds.length <= size) return placeChunk(ctx, requestIds, options);
  const known = options.known ? { known: options.known } : {};
  for (let i = 0; i < requestIds.length; i += size)
    add(total, await placeChunk(ctx, requestIds.slice(i, i + size), known));
  return total;
}

/** How many placements fit in one transaction. */
export function chunkSize(ctx: SchedulerContext): number {
  return Math.max(1, Math.floor((ctx.maxTxnOps - 2) / TXN_OPS_PER_PLACEMENT));
}

async function placeChunk(
  ctx: SchedulerContext,
  ids: string[],
  options: PipelineOptions,
): Promise<BatchResult> {
  try {
    return await placeBatch(ctx, ids, options);
  } catch (err) {
    if (!(err instanceof TooLargeError) || ids.length < 2) throw err;
    const half = Math.ceil(ids.length / 2);
    const known = options.known ? { known: options.known } : {};
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
