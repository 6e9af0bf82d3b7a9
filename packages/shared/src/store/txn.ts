import type { Etcd3, ICompare, IRequestOp } from 'etcd3';
import { ConflictError } from '../errors.js';
import { encode, prefixEnd } from './entry.js';
import { guarded } from './rpc-errors.js';

/** One compared key: its mod_revision must still be `modRevision` (0 = must not exist). */
interface Guard {
  key: string;
  modRevision: number;
}

/**
 * A multi-key change that applies all at once or not at all. Every key read
 * before the change is compared by mod_revision, so a concurrent writer makes
 * the commit fail with a ConflictError naming the keys that moved.
 */
export class Txn {
  private readonly guards: Guard[] = [];
  private readonly ops: IRequestOp[] = [];

  constructor(private readonly client: Etcd3) {}

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
    return this;
  }

  /** Creates the key, failing the whole transaction if it already exists. */
  create(key: string, value: unknown, lease?: string): this {
    return this.mustNotExist(key).put(key, value, lease);
  }

  delete(key: string): this {
    this.ops.push({ request_delete_range: { key: Buffer.from(key) } });
    return this;
  }

  deletePrefix(prefix: string): this {
    this.ops.push({ request_delete_range: { key: Buffer.from(prefix), range_end: prefixEnd(prefix) } });
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  /** Applies the change; returns the new store revision, or throws ConflictError. */
  async commit(): Promise<number> {
    const compare: ICompare[] = this.guards.map((g) => ({
      key: Buffer.from(g.key),
      target: 'Mod',
      result: 'Equal',
      mod_revision: g.modRevision,
    }));
    const failure: IRequestOp[] = this.guards.map((g) => ({ request_range: { key: Buffer.from(g.key) } }));
    const res = await guarded('txn', () => this.client.kv.txn({ compare, success: this.ops, failure }));
    if (res.succeeded) return Number(res.header.revision);
    throw new ConflictError(this.changedKeys(res.responses));
  }

  private changedKeys(responses: { response_range?: { kvs: { mod_revision: string }[] } }[]): string[] {
    return this.guards
      .filter((g, i) => Number(responses[i]?.response_range?.kvs[0]?.mod_revision ?? 0) !== g.modRevision)
      .map((g) => g.key);
  }
}
