import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import protobuf from 'protobufjs/minimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFastInt64Strings, Store } from '../src/index.js';

type LongClass = typeof import('long').default;
// The long.js class protobufjs decodes int64s into, and its own toString (kept
// before the fast one is installed) as the reference.
const Long = (protobuf.util as unknown as { Long: LongClass }).Long;
const reference = Long.prototype.toString;

describe('fast int64 strings', () => {
  beforeAll(() => installFastInt64Strings());

  it('patches the long.js class that etcd3 decodes with', () => {
    const require = createRequire(import.meta.url);
    const loader = dirname(
      require.resolve('@grpc/proto-loader', { paths: [dirname(require.resolve('etcd3'))] }),
    );
    const theirs = require(require.resolve('protobufjs/minimal', { paths: [loader] })) as typeof protobuf;
    expect(theirs.util.Long).toBe(Long);
    expect(Long.prototype.toString).not.toBe(reference);
  });

  it('gives long.js digits for edge and random values, signed and unsigned', () => {
    const edges = [
      0,
      1,
      -1,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 53 - 1,
      2 ** 53 + 2,
      -(2 ** 31),
      -(2 ** 53),
    ];
    const values: InstanceType<LongClass>[] = [
      Long.MAX_VALUE,
      Long.MIN_VALUE,
      Long.MAX_UNSIGNED_VALUE,
      Long.UZERO,
    ];
    for (const n of edges) values.push(Long.fromNumber(n), Long.fromNumber(Math.abs(n), true));
    let seed = 7;
    const random32 = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return seed;
    };
    for (let i = 0; i < 5000; i++) values.push(new Long(random32(), random32(), i % 2 === 0));
    for (const v of values) expect(v.toString()).toBe(reference.call(v));
    expect(Long.fromNumber(255).toString(16)).toBe('ff');
  });

  describe('through etcd', () => {
    let etcd: EtcdCluster;
    let store: Store;
    const prefix = uniquePrefix('int64');
    beforeAll(async () => {
      etcd = await EtcdCluster.start();
      store = new Store({ endpoints: etcd.endpoints });
    });
    afterAll(async () => {
      await store?.deletePrefix(prefix);
      await store?.close();
      await etcd?.dispose();
    });

    it('reads revisions and a lease id above 2^53 as exact decimal strings', async () => {
      // etcd takes a lease id chosen by the client: one past 2^53 would lose its last digit as a double.
      const id = '9007199254740993';
      const granted = await store.client.leaseClient.leaseGrant({ TTL: 60, ID: id });
      expect(granted.ID).toBe(id);
      await store.client.kv.put({ key: Buffer.from(`${prefix}k`), value: Buffer.from('"v"'), lease: id });
      const res = await store.client.kv.range({ key: Buffer.from(`${prefix}k`) });
      expect(res.kvs[0]!.lease).toBe(id);
      expect(Number(res.kvs[0]!.mod_revision)).toBeGreaterThan(0);
      expect(res.kvs[0]!.mod_revision).toBe(res.header.revision);
      await store.client.leaseClient.leaseRevoke({ ID: id });
    });
  });
});
