import { type ErrorCode, NuboError } from '@nubo/shared';
import { contextFor, type VmContext } from './context.js';
import { identify, type Requester } from './requester.js';
import type { Ec2Answers } from './routes/ec2.js';
import type { VmIndex } from './vm-index.js';

/**
 * Answers made from one asker's context, kept beside it and dropped with it
 * when the index changes. One lookup per request (the address) then finds
 * both the context and its answers: with 10,000 VMs asked at random, each
 * further map lookup was a few cache misses (docs/performance.md).
 */
export interface AnswerMemo {
  /** `/v1/instance`, serialized. */
  instance?: string;
  ec2?: Ec2Answers;
}

export interface CachedAsker {
  requester: Requester;
  context: VmContext;
  memo: AnswerMemo;
}

/** Past this many requester addresses the cache starts again (a bound, not an LRU: it only saves work). */
const MAX_ENTRIES = 65_536;

type Outcome = CachedAsker | { error: { code: ErrorCode; message: string; details: NuboError['details'] } };

/**
 * Who an address is, remembered until the index changes: a boot storm asks
 * the same few paths from each VM many times, and the answer depends only on
 * the address and the index. Any index change (the generation moves) drops
 * everything, so a revoked key or a deleted VM is never served from here.
 */
export class AskerCache {
  private readonly entries = new Map<string, Outcome>();
  private generation = -1;

  constructor(private readonly index: VmIndex) {}

  resolve(address: string): CachedAsker {
    if (this.generation !== this.index.generation || this.entries.size >= MAX_ENTRIES) {
      this.entries.clear();
      this.generation = this.index.generation;
    }
    let outcome = this.entries.get(address);
    if (!outcome) {
      outcome = this.compute(address);
      this.entries.set(address, outcome);
    }
    if ('error' in outcome) {
      const { code, message, details } = outcome.error;
      throw new NuboError(code, message, { details });
    }
    return outcome;
  }

  private compute(address: string): Outcome {
    try {
      const requester = identify(address);
      return { requester, context: contextFor(this.index, requester), memo: {} };
    } catch (err) {
      if (!(err instanceof NuboError)) throw err;
      return { error: { code: err.code, message: err.message, details: err.details } };
    }
  }
}
