import { ConflictError, NuboError } from './errors.js';
import type { Keys } from './keys.js';
import { DEFAULT_MAC_PREFIX, randomMac } from './mac.js';
import type { Store } from './store/store.js';
import type { Txn } from './store/txn.js';

/** What a MAC's reservation key holds: who owns the MAC. */
export interface MacOwner {
  vmId: string;
  networkId?: string;
}

/**
 * Hands out MACs that no one else holds. A MAC is taken by creating the key
 * `macs/<mac>` in the same transaction that uses it, so two creates that pick
 * the same MAC cannot both commit: the loser gets a ConflictError and retries.
 */
export class MacAllocator {
  constructor(
    private readonly store: Store,
    private readonly keys: Keys,
    private readonly prefix = DEFAULT_MAC_PREFIX,
    private readonly attempts = 16,
  ) {}

  /** Picks a MAC that is free now and adds its reservation to `txn`. */
  async reserve(txn: Txn, owner: MacOwner): Promise<string> {
    for (let i = 0; i < this.attempts; i++) {
      const mac = randomMac(this.prefix);
      if (!(await this.store.get(this.keys.macs.one(mac)))) {
        txn.create(this.keys.macs.one(mac), owner);
        return mac;
      }
    }
    throw new NuboError(
      'NUBO_EXHAUSTED',
      `no free MAC found under ${this.prefix} after ${this.attempts} tries`,
    );
  }

  /**
   * Adds a random MAC's reservation to `txn` without reading first: the
   * create's must-not-exist guard is the check. With 2^24 MACs under a prefix
   * a clash is rare; it fails the transaction with a ConflictError naming
   * `macs/<mac>`, and the caller retries with a new pick. One round trip less
   * than `reserve` on every create.
   */
  claim(txn: Txn, owner: MacOwner): string {
    const mac = randomMac(this.prefix);
    txn.create(this.keys.macs.one(mac), owner);
    return mac;
  }

  /**
   * Reserves one MAC on its own. Two callers that read the same MAC as free
   * race; the loser picks again (with 200 at once under one prefix, about one
   * run in 800 has such a pair).
   */
  async allocate(owner: MacOwner): Promise<string> {
    for (let i = 1; ; i++) {
      const txn = this.store.txn();
      const mac = await this.reserve(txn, owner);
      try {
        await txn.commit();
        return mac;
      } catch (err) {
        if (!(err instanceof ConflictError) || i >= this.attempts) throw err;
      }
    }
  }

  release(txn: Txn, mac: string): Txn {
    return txn.delete(this.keys.macs.one(mac));
  }
}
