// Helpers that use vitest's hooks: imported as `@nubo/test/vitest`, apart from
// the harness's index, which benchmarks load outside vitest.
import { Store, type StoreOptions } from '@nubo/shared';
import { afterAll, beforeAll } from 'vitest';
import { EtcdCluster } from './etcd.js';

export interface EtcdStore {
  readonly etcd: EtcdCluster;
  readonly store: Store;
}

/**
 * A real etcd and a Store on it for the calling test file (or `describe`
 * block): started before its tests, then, after them, `cleanUp` deleted,
 * the store closed and etcd removed. Read `.etcd` and `.store` in the tests.
 */
export function useEtcdStore(
  options: { store?: Omit<StoreOptions, 'endpoints'>; cleanUp?: string } = {},
): EtcdStore {
  let etcd: EtcdCluster | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    etcd = await EtcdCluster.start();
    store = new Store({ ...options.store, endpoints: etcd.endpoints });
  });
  afterAll(async () => {
    try {
      if (options.cleanUp) await store?.deletePrefix(options.cleanUp);
    } finally {
      await store?.close();
      await etcd?.dispose();
    }
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useEtcdStore: etcd is not started yet (read it inside a test)');
    return value;
  };
  return {
    get etcd() {
      return started(etcd);
    },
    get store() {
      return started(store);
    },
  };
}
