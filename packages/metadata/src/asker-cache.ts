import { type ErrorCode, NuboError } from '@nubo/shared';
import { contextFor, type VmContext } from './context.js';
import { identify, type Requester } from './requester.js';
import type { Ec2Dir } from './routes/ec2-tree.js';
import type { VmIndex } from './vm-index.js';

/** What is made once from one asker's context for the answers that need it, dropped with it when the index changes. */
export interface AnswerMemo {
  ec2?: Ec2Dir;
}

/** A text answer as kept: the text, and the project of the VM it is about (checked against the one a proxy names). */
export interface KeptText {
  text: string;
  projectId: string;
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
 * times, and the answer depends only on the URL, the requester's address and
 * the index. Any index change (the generation moves) drops both, so a revoked
 * key or a deleted VM is never served from here.
 */
export class AskerCache {
  private readonly entries = new Map<string, Outcome>();
  /** URL → requester address → answer: two lookups by strings the request already holds, no key built per request. */
  private readonly texts = new Map<string, Map<string, KeptText>>();
  private textCount = 0;
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
   * The text answer already made for this URL and requester address, or
   * undefined. With 10,000 VMs asked at random, each lookup on the way to an
   * answer (the asker, its memo, the path) was a few cache misses, and a key
   * joined from the parts cost a string to build and hash per request
   * (docs/performance.md).
   */
  text(url: string, address: string): KeptText | undefined {
    this.forgetIfStale();
    return this.texts.get(url)?.get(address);
  }

  /** Called in the same turn as the `resolve` the text was made from, so the index cannot have moved between. */
  keepText(url: string, address: string, kept: KeptText): void {
    let byAddress = this.texts.get(url);
    if (byAddress === undefined) {
      byAddress = new Map();
      this.texts.set(url, byAddress);
    }
    byAddress.set(address, kept);
    this.textCount++;
  }

  private forgetIfStale(): void {
    const full = this.entries.size >= MAX_ENTRIES || this.textCount >= MAX_TEXTS;
    if (this.generation !== this.index.generation || full) {
      this.entries.clear();
      this.texts.clear();
      this.textCount = 0;
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
