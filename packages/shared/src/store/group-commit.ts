import type { Etcd3, IRequestOp, ITxnResponse } from 'etcd3';
import { compareOps, failureReads, type Guard, guardsHeld } from './guards.js';
import { guarded } from './rpc-errors.js';

/** etcd's default `--max-txn-ops`: the most compares, and the most ops, one transaction may carry. */
export const ETCD_DEFAULT_MAX_TXN_OPS = 128;

/**
 * Batches on their way at once. Measured with the API's creates (bench/api-create.ts):
 * two made batches smaller and cost more CPU per create than they saved in waiting.
 */
const MAX_IN_FLIGHT = 1;

/** One transaction as Txn builds it. */
export interface TxnRequest {
  guards: Guard[];
  ops: IRequestOp[];
  /** Every key the ops write, or undefined when one is a range (a prefix delete): such a request goes alone. */
  writeKeys: string[] | undefined;
}

/** What a member learns: the revision it committed at, or the current revisions of its own compared keys. */
export type MemberOutcome =
  | { succeeded: true; revision: number }
  | { succeeded: false; reads: ITxnResponse['responses'] };

interface Member {
  request: TxnRequest;
  resolve: (outcome: MemberOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: transactions that arrive while one is on its way to etcd are
 * sent together, as one etcd transaction, when it returns. Under load this
 * turns many small round trips (each a gRPC call and an fsync in etcd) into
 * a few larger ones; with nothing in flight a transaction goes at once, alone.
 *
 * Each member keeps its own all-or-nothing meaning. Members of one batch touch
 * disjoint keys (no member writes a key another writes or compares), so
 * committing them together is the same as committing them one after another
 * in any order. When the batch's compares fail, the failure branch reads every
 * compared key: the members whose own compares failed are told so, and the
 * others go again in the next batch. Any other error (etcd unreachable, a
 * timeout whose outcome is unknown) reaches every member, as it would have
 * reached each alone.
 */
export class GroupCommit {
  private readonly waiting: Member[] = [];
  private inFlight = 0;

  constructor(
    private readonly client: Etcd3,
    private readonly maxTxnOps = ETCD_DEFAULT_MAX_TXN_OPS,
  ) {}

  commit(request: TxnRequest): Promise<MemberOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      if (this.inFlight < MAX_IN_FLIGHT) void this.drain();
    });
  }

  /** One sender: takes a batch, sends it, and goes on while members wait. */
  private async drain(): Promise<void> {
    this.inFlight++;
    try {
      while (this.waiting.length > 0) {
        const batch = this.takeBatch();
        const again = await this.send(batch);
        this.waiting.unshift(...again);
      }
    } finally {
      this.inFlight--;
    }
  }

  /** The oldest waiting member, and every later one that fits beside it (disjoint keys, within the op limits). */
  private takeBatch(): Member[] {
    const first = this.waiting.shift() as Member;
    const batch = [first];
    if (first.request.writeKeys === undefined) return batch;
    const written = new Set(first.request.writeKeys);
    const compared = new Set(first.request.guards.map((g) => g.key));
    let compares = first.request.guards.length;
    let ops = first.request.ops.length;
    for (let i = 0; i < this.waiting.length; ) {
      const { request } = this.waiting[i] as Member;
      const fits =
        request.writeKeys !== undefined &&
        compares + request.guards.length <= this.maxTxnOps &&
        ops + request.ops.length <= this.maxTxnOps &&
        request.writeKeys.every((k) => !written.has(k) && !compared.has(k)) &&
        request.guards.every((g) => !written.has(g.key));
      if (!fits) {
        i++;
        continue;
      }
      batch.push(...this.waiting.splice(i, 1));
      for (const k of request.writeKeys ?? []) written.add(k);
      for (const g of request.guards) compared.add(g.key);
      compares += request.guards.length;
      ops += request.ops.length;
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
          success: batch.flatMap((m) => m.request.ops),
          failure: failureReads(guards),
        }),
      );
    } catch (err) {
      for (const m of batch) m.reject(err);
      return [];
    }
    if (res.succeeded) {
      const revision = Number(res.header.revision);
      for (const m of batch) m.resolve({ succeeded: true, revision });
      return [];
    }
    const outcomes: { member: Member; reads: ITxnResponse['responses']; held: boolean }[] = [];
    let offset = 0;
    for (const member of batch) {
      const reads = res.responses.slice(offset, offset + member.request.guards.length);
      offset += member.request.guards.length;
      outcomes.push({ member, reads, held: guardsHeld(member.request.guards, reads) });
    }
    // Only a compare fails a transaction, so some member's must have; if the
    // reads blame none (they cannot), every member is told rather than looping.
    const blamed = outcomes.some((o) => !o.held);
    const again: Member[] = [];
    for (const { member, reads, held } of outcomes) {
      if (held && blamed) again.push(member);
      else member.resolve({ succeeded: false, reads });
    }
    return again;
  }
}
