import type { Static, TSchema } from '@sinclair/typebox';
import { Etcd3, type IOptions } from 'etcd3';
import { ConflictError, NuboError } from '../errors.js';
import { AsyncQueue } from './async-queue.js';
import { decode, decodeOrSkip, type Entry, encode, type OnInvalid, prefixEnd } from './entry.js';
import { overloadTolerant } from './fault-policy.js';
import { ETCD_DEFAULT_MAX_TXN_OPS, GroupCommit } from './group-commit.js';
import { installFastInt64Strings } from './int64-strings.js';
import { LeaseHandle } from './lease.js';
import { rangeAll } from './range-pages.js';
import { guarded } from './rpc-errors.js';
import { Txn } from './txn.js';
import { CompactedError, type WatchChange, type WatchEvent, watchPrefix } from './watch.js';

export interface StoreOptions {
  endpoints: string[];
  /** How long one call may wait for etcd before NUBO_STORE_UNAVAILABLE. */
  callTimeoutMs?: number;
  /**
   * How the client reacts to failing calls: the etcd3 client's own default
   * (a 5 s circuit breaker after 3 failures, timeouts included), or
   * 'overload-tolerant' (see fault-policy.ts), for daemons that must ride out load spikes.
   */
  faultHandling?: 'etcd3-default' | 'overload-tolerant';
  /** etcd's `--max-txn-ops` (default 128): the limit a grouped transaction is kept within. */
  maxTxnOps?: number;
}

export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

/**
 * A typed store over etcd. Values are JSON; reads that pass a schema are
 * validated with it (the schema the API validates input with), so a record
 * written by hand with `etcdctl` that does not fit is reported, not trusted.
 */
export class Store {
  readonly client: Etcd3;
  private group: GroupCommit | undefined;
  /** etcd's `--max-txn-ops` as configured (see StoreOptions). */
  readonly maxTxnOps: number;

  constructor(options: StoreOptions) {
    installFastInt64Strings();
    const etcdOptions: IOptions = {
      hosts: options.endpoints,
      // Unary calls only: a deadline on a stream (watch, lease keep-alive) ends
      // it every few seconds, and the client re-attaches every watcher each time.
      defaultCallOptions: (context) =>
        context.isStream ? {} : { deadline: Date.now() + (options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS) },
      // With no deadline, a stream learns of a peer that vanished without a
      // reset (a partition) from HTTP/2 pings: every 10 s while calls are open
      // (etcd accepts pings 5 s apart), 5 s to answer.
      grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000 },
      ...(options.faultHandling === 'overload-tolerant' ? { faultHandling: overloadTolerant() } : {}),
    };
    this.client = new Etcd3(etcdOptions);
    this.maxTxnOps = options.maxTxnOps ?? ETCD_DEFAULT_MAX_TXN_OPS;
  }

  async get<S extends TSchema>(key: string, schema?: S): Promise<Entry<Static<S>> | undefined> {
    const res = await guarded('get', () => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv ? decode(kv, schema) : undefined;
  }

  /** Like `get`, but a missing key is NUBO_NOT_FOUND. */
  async require<S extends TSchema>(key: string, schema?: S, what = 'resource'): Promise<Entry<Static<S>>> {
    const entry = await this.get(key, schema);
    if (!entry) throw new NuboError('NUBO_NOT_FOUND', `${what} not found`);
    return entry;
  }

  /** Every key under the prefix, in key order, read in pages at one revision (see rangeAll). */
  async list<S extends TSchema>(
    prefix: string,
    schema?: S,
    onInvalid?: OnInvalid,
  ): Promise<{ entries: Entry<Static<S>>[]; revision: number }> {
    const { kvs, revision } = await rangeAll(this.client, prefix);
    const entries = kvs.flatMap((kv) => decodeOrSkip(kv, schema, onInvalid) ?? []);
    return { entries, revision };
  }

  async count(prefix: string): Promise<number> {
    const res = await guarded('count', () =>
      this.client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), count_only: true }),
    );
    return Number(res.count);
  }

  /** Writes a value unconditionally; returns the new revision. Prefer `txn` for read-modify-write. */
  async put(key: string, value: unknown, lease?: string): Promise<number> {
    const res = await guarded('put', () =>
      this.client.kv.put({ key: Buffer.from(key), value: encode(value), ...(lease ? { lease } : {}) }),
    );
    return Number(res.header.revision);
  }

  /** Deletes one key; returns whether it existed. */
  async delete(key: string): Promise<boolean> {
    const res = await guarded('delete', () => this.client.kv.deleteRange({ key: Buffer.from(key) }));
    return Number(res.deleted) > 0;
  }

  async deletePrefix(prefix: string): Promise<number> {
    const res = await guarded('delete', () =>
      this.client.kv.deleteRange({ key: Buffer.from(prefix), range_end: prefixEnd(prefix) }),
    );
    return Number(res.deleted);
  }

  /**
   * A new transaction. `grouped`: it may be sent to etcd together with the
   * other grouped transactions of this Store that are waiting at that moment
   * (see GroupCommit: fewer round trips under load, same meaning each).
   */
  txn(options: { grouped?: boolean } = {}): Txn {
    if (!options.grouped) return new Txn(this.client);
    this.group ??= new GroupCommit(this.client, this.maxTxnOps);
    return new Txn(this.client, this.group);
  }

  /**
   * Read-modify-write of one key with optimistic concurrency: reads, applies
   * `change`, and commits only if nobody wrote meanwhile; retries a lost race a
   * few times, then gives up with ConflictError. `change` may throw to refuse.
   */
  async update<S extends TSchema>(
    key: string,
    schema: S,
    change: (current: Static<S>, txn: Txn) => Static<S> | Promise<Static<S>>,
    attempts = 5,
  ): Promise<Entry<Static<S>>> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.require(key, schema);
      const txn = this.txn().compare(key, current.modRevision);
      const next = await change(current.value, txn);
      try {
        const revision = await txn.put(key, next).commit();
        return { ...current, value: next, modRevision: revision, version: current.version + 1 };
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= attempts) throw err;
      }
    }
  }

  /** A lease kept alive in the background; its keys vanish when the process dies. */
  async lease(ttlSeconds: number): Promise<LeaseHandle> {
    return LeaseHandle.grant(this.client, ttlSeconds);
  }

  /** Changes under a prefix after a revision; see `watchPrefix`. */
  watch<S extends TSchema>(
    prefix: string,
    options: { afterRevision?: number; schema?: S; onInvalid?: OnInvalid } = {},
  ) {
    return watchPrefix<Static<S>>(this.client, prefix, {
      ...(options.afterRevision !== undefined ? { afterRevision: options.afterRevision } : {}),
      parse: (kv) => decodeOrSkip(kv, options.schema, options.onInvalid),
    });
  }

  /**
   * The whole prefix, then every change: first a `reset` with all entries, then
   * puts and deletes. After a compaction it lists again and yields a new
   * `reset`, so a consumer that rebuilds its view on `reset` never misses a change.
   * `return()` stops it at once, even while it waits for the next change (an
   * async generator would wait for that change first).
   */
  listAndWatch<S extends TSchema>(prefix: string, schema?: S): AsyncIterableIterator<WatchEvent<Static<S>>> {
    let stopped = false;
    let current: AsyncIterableIterator<WatchChange<Static<S>>> | undefined;
    const queue = new AsyncQueue<WatchEvent<Static<S>>>(() => {
      stopped = true;
      void current?.return?.();
    });
    const run = async (): Promise<void> => {
      while (!stopped) {
        const { entries, revision } = await this.list(prefix, schema);
        if (stopped) return;
        queue.push({ type: 'reset', entries, revision });
        current = this.watch(prefix, { afterRevision: revision, ...(schema ? { schema } : {}) });
        try {
          for await (const change of current) queue.push(change);
          return;
        } catch (err) {
          if (!(err instanceof CompactedError)) throw err;
        }
      }
    };
    run().catch((err) => queue.fail(err));
    return queue;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
