import type { Etcd3, IRequestOp, ITxnResponse } from 'etcd3';
import { compareOps, failureReads, type Guard, movedKeys, readOps, txnBytes } from './guards.js';
import { guarded } from './rpc-errors.js';

/** etcd's default `--max-txn-ops`: the most compares, and the most ops, one transaction may carry. */
export const ETCD_DEFAULT_MAX_TXN_OPS = 128;

/** Keys and values one batch may carry: well under etcd's 1.5 MiB request limit. */
const MAX_BATCH_BYTES = 1 << 20;

/** One transaction: compares, writes, and keys read after the writes (in the same transaction). */
export interface TxnRequest {
  guards: Guard[];
  ops: IRequestOp[];
  reads: string[];
  /** Every key the ops write, or undefined when one is a range (a prefix delete): such a request goes alone. */
  writeKeys: string[] | undefined;
}

/** What a member learns: its revision and reads, or the keys among its compares that moved. */
export type MemberOutcome =
  | { succeeded: true; revision: number; reads: ITxnResponse['responses'] }
  | { succeeded: false; moved: string[] };

interface Member {
  request: TxnRequest;
  /** Keys it compares or reads: no other member of its batch may write them. */
  looked: string[];
  /** False when it must go alone (a range write, or a key written twice, which etcd refuses). */
  joinable: boolean;
  bytes: number;
  resolve: (outcome: MemberOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: transactions that arrive while one is on its way to etcd are
 * sent together, as one etcd transaction, when it returns. Under load this
 * turns many small round trips (each a gRPC call and an fsync in etcd) into
 * a few larger ones. When a batch leaves is the caller's choice, by measurement:
 * - 'when-idle' (the API's creates): one batch on its way at a time, the next
 *   taking everything that waited for it. With two at a time
 *   (bench/api-create.ts) batches were smaller and cost more CPU per create
 *   than they saved in waiting. With nothing on its way, the first batch
 *   leaves at the end of the current turn of the event loop, not at once, so
 *   that the transactions issued in that turn go together: sent at once, the
 *   first went alone and the others waited a whole round trip for it
 *   (bench/scheduler-placement.ts, whose writer issues ten creates a tick:
 *   p50 request → driver call 16 → 8 ms, 20% less CPU per VM in every part).
 * - 'each-turn' (a fleet's claims, spec reads and finishes): what arrived
 *   during one turn of the event loop leaves at once, whatever is on its way,
 *   as the fleet's own batcher did before it was folded in here. A VM's build
 *   is a chain of such steps; on this machine the two modes could not be told
 *   apart for the fleet (bench/scheduler-placement.ts), so it kept its policy.
 *
 * Each member keeps its own all-or-nothing meaning. Members of one batch touch
 * disjoint keys (no member writes a key another writes, compares or reads), so
 * committing them together is the same as committing them one after another
 * in any order. When the batch's compares fail, the failure branch reads every
 * compared key: the members whose own compares failed are told which keys
 * moved, and the others go again in the next batch. Any other error (etcd
 * unreachable, a timeout whose outcome is unknown) reaches every member, as
 * it would have reached each alone.
 */
export class GroupCommit {
  private readonly waiting: Member[] = [];
  private sending = false;
  private turnScheduled = false;

  constructor(
    private readonly client: Etcd3,
    private readonly maxTxnOps = ETCD_DEFAULT_MAX_TXN_OPS,
    /** When a batch leaves: 'when-idle' (after the one on its way returns) or 'each-turn' (see the class comment). */
    private readonly flush: 'when-idle' | 'each-turn' = 'when-idle',
  ) {}

  commit(request: TxnRequest): Promise<MemberOutcome> {
    const { writeKeys } = request;
    return new Promise((resolve, reject) => {
      this.waiting.push({
        request,
        looked: [...request.guards.map((g) => g.key), ...request.reads],
        joinable: writeKeys !== undefined && new Set(writeKeys).size === writeKeys.length,
        bytes: txnBytes(request.guards, request.ops),
        resolve,
        reject,
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flush === 'when-idle') {
      if (this.sending) return;
      // The first batch leaves once this turn of the event loop is over, so
      // that what arrived in the same turn goes with it (see the class comment).
      this.sending = true;
      setImmediate(() => void this.drain());
    } else if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(() => this.sendTurn());
    }
  }

  /** 'when-idle': one batch at a time, each taking everything that waited for the last. */
  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        const again = await this.send(this.takeBatch());
        this.waiting.unshift(...again);
      }
    } finally {
      this.sending = false;
    }
  }

  /** 'each-turn': what arrived during one turn of the event loop leaves now, in as few batches as fit. */
  private sendTurn(): void {
    this.turnScheduled = false;
    while (this.waiting.length > 0) {
      void this.send(this.takeBatch()).then((again) => {
        if (again.length === 0) return;
        this.waiting.unshift(...again);
        this.schedule();
      });
    }
  }

  /** The oldest waiting member, and every later one that fits beside it (disjoint keys, within the limits). */
  private takeBatch(): Member[] {
    const first = this.waiting.shift() as Member;
    const batch = [first];
    if (!first.joinable) return batch;
    const written = new Set(first.request.writeKeys);
    const looked = new Set(first.looked);
    let compares = first.request.guards.length;
    let ops = first.request.ops.length + first.request.reads.length;
    let bytes = first.bytes;
    for (let i = 0; i < this.waiting.length; ) {
      const m = this.waiting[i] as Member;
      const writes = m.request.writeKeys ?? [];
      const fits =
        m.joinable &&
        compares + m.request.guards.length <= this.maxTxnOps &&
        ops + m.request.ops.length + m.request.reads.length <= this.maxTxnOps &&
        bytes + m.bytes <= MAX_BATCH_BYTES &&
        writes.every((k) => !written.has(k) && !looked.has(k)) &&
        m.looked.every((k) => !written.has(k));
      if (!fits) {
        i++;
        continue;
      }
      batch.push(...this.waiting.splice(i, 1));
      for (const k of writes) written.add(k);
      for (const k of m.looked) looked.add(k);
      compares += m.request.guards.length;
      ops += m.request.ops.length + m.request.reads.length;
      bytes += m.bytes;
    }
    return batch;
  }

  /** Sends one batch; returns the members to send again (their compares held but another's did not). */
  private async send(batch: Member[]): Promise<Member[]> {
    const guards = batch.flatMap((m) => m.request.guards);
    let res: ITxnResponse;
    try {
      res = await guarded('txn', () =>
        this.client.kv.txn({
          compare: compareOps(guards),
          success: batch.flatMap((m) => [...m.request.ops, ...readOps(m.request.reads)]),
          failure: failureReads(guards),
        }),
      );
    } catch (err) {
      for (const m of batch) m.reject(err);
      return [];
    }
    const revision = Number(res.header.revision);
    let offset = 0;
    if (res.succeeded) {
      for (const m of batch) {
        offset += m.request.ops.length;
        m.resolve({
          succeeded: true,
          revision,
          reads: res.responses.slice(offset, offset + m.request.reads.length),
        });
        offset += m.request.reads.length;
      }
      return [];
    }
    const moved = batch.map((m) => {
      const reads = res.responses.slice(offset, offset + m.request.guards.length);
      offset += m.request.guards.length;
      return movedKeys(m.request.guards, reads);
    });
    // Only a compare fails a transaction, so some member's must have; if the
    // reads blame none (they cannot), every member is told rather than looping.
    const blamed = moved.some((keys) => keys.length > 0);
    const again: Member[] = [];
    batch.forEach((m, i) => {
      const keys = moved[i] as string[];
      if (blamed && keys.length === 0) again.push(m);
      else m.resolve({ succeeded: false, moved: keys });
    });
    return again;
  }
}
