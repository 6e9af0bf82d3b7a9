import type { Etcd3, IRequestOp } from 'etcd3';
import { ConflictError } from '../errors.js';
import { encode, prefixEnd } from './entry.js';
import type { GroupCommit } from './group-commit.js';
import { compareOps, failureReads, type Guard, movedKeys, txnBytes } from './guards.js';
import { guarded } from './rpc-errors.js';

/**
 * A multi-key change that applies all at once or not at all. Every key read
 * before the change is compared by mod_revision, so a concurrent writer makes
 * the commit fail with a ConflictError naming the keys that moved. A Txn made
 * with a GroupCommit may travel to etcd in one transaction with others (see
 * GroupCommit); its meaning is the same.
 */
export class Txn {
  private readonly guards: Guard[] = [];
  private readonly ops: IRequestOp[] = [];
  /** The keys the ops write; undefined once an op writes a range. */
  private writeKeys: string[] | undefined = [];

  constructor(
    private readonly client: Etcd3,
    private readonly group?: GroupCommit,
  ) {}

  /** The key must still be at this mod_revision (as read); 0 means it must not exist. */
  compare(key: string, modRevision: number): this {
    this.guards.push({ key, modRevision });
    return this;
  }

  mustNotExist(key: string): this {
    return this.compare(key, 0);
  }

  put(key: string, value: unknown, lease?: string): this {
    this.ops.push({
      request_put: { key: Buffer.from(key), value: encode(value), ...(lease ? { lease } : {}) },
    });
    this.writeKeys?.push(key);
    return this;
  }

  /** Creates the key, failing the whole transaction if it already exists. */
  create(key: string, value: unknown, lease?: string): this {
    return this.mustNotExist(key).put(key, value, lease);
  }

  delete(key: string): this {
    this.ops.push({ request_delete_range: { key: Buffer.from(key) } });
    this.writeKeys?.push(key);
    return this;
  }

  deletePrefix(prefix: string): this {
    this.ops.push({ request_delete_range: { key: Buffer.from(prefix), range_end: prefixEnd(prefix) } });
    this.writeKeys = undefined;
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  /** About how many bytes the request carries: keys and values (etcd refuses requests over 1.5 MiB). */
  get bytes(): number {
    return txnBytes(this.guards, this.ops);
  }

  /** Applies the change; returns the new store revision, or throws ConflictError. */
  async commit(): Promise<number> {
    if (this.group) {
      const outcome = await this.group.commit({
        guards: this.guards,
        ops: this.ops,
        reads: [],
        writeKeys: this.writeKeys,
      });
      if (outcome.succeeded) return outcome.revision;
      throw new ConflictError(outcome.moved);
    }
    const res = await guarded('txn', () =>
      this.client.kv.txn({
        compare: compareOps(this.guards),
        success: this.ops,
        failure: failureReads(this.guards),
      }),
    );
    if (res.succeeded) return Number(res.header.revision);
    throw new ConflictError(movedKeys(this.guards, res.responses));
  }
}
