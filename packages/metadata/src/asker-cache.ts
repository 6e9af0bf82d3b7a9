import { type ErrorCode, NuboError } from '@nubo/shared';
import { contextFor, type VmContext } from './context.js';
import { identify, type Requester } from './requester.js';
import type { Ec2Dir } from './routes/ec2-tree.js';
import type { VmIndex } from './vm-index.js';

/** What is made once from one asker's context for the answers that need it, dropped with it when the index changes. */
export interface AnswerMemo {
  ec2?: Ec2Dir;
}

export interface CachedAsker {
  requester: Requester;
  context: VmContext;
  memo: AnswerMemo;
}

/**
 * Past this many requester addresses, or this many text answers, the cache
 * starts again (a bound, not an LRU: it only saves work).
 */
const MAX_ENTRIES = 65_536;
const MAX_TEXTS = 262_144;

type Outcome = CachedAsker | { error: { code: ErrorCode; message: string; details: NuboError['details'] } };

/**
 * Who an address is, and the text answers made for it, remembered until the
 * index changes: a boot storm asks the same few paths from each VM many
 * times, and the answer depends only on the request key and the index. Any
 * index change (the generation moves) drops both maps, so a revoked key or a
 * deleted VM is never served from here.
 */
export class AskerCache {
  private readonly entries = new Map<string, Outcome>();
  private readonly texts = new Map<string, string>();
  private generation = -1;

  constructor(private readonly index: VmIndex) {}

  resolve(address: string): CachedAsker {
    this.forgetIfStale();
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

  /**
   * A text answer already made for this request key (see `answerKey` in
   * app.ts), or undefined. One map lookup for a request that was answered
   * before: with 10,000 VMs asked at random, each further lookup on the way
   * to the answer (the asker, its memo, the path) was a few cache misses
   * (docs/performance.md).
   */
  text(key: string): string | undefined {
    this.forgetIfStale();
    return this.texts.get(key);
  }

  /** Called in the same turn as the `resolve` the text was made from, so the index cannot have moved between. */
  keepText(key: string, text: string): void {
    this.texts.set(key, text);
  }

  private forgetIfStale(): void {
    const full = this.entries.size >= MAX_ENTRIES || this.texts.size >= MAX_TEXTS;
    if (this.generation !== this.index.generation || full) {
      this.entries.clear();
      this.texts.clear();
      this.generation = this.index.generation;
    }
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
