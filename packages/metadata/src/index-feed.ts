import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff, type Keys, type Logger, type Store } from '@nubo/shared';
import { followPaged } from './paged-follow.js';
import type { Kind, VmIndex } from './vm-index.js';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * Keeps a VmIndex in step with etcd: one list-and-watch per prefix (VMs, SSH
 * keys, networks). A compaction is handled by `followPaged` (a new `reset`); any
 * other failure lists again after a backoff. `ready` resolves once every prefix
 * has been listed, so the service can wait for it before it answers.
 */
export class IndexFeed {
  readonly ready: Promise<void>;
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly store: Store,
    keys: Keys,
    private readonly index: VmIndex,
    private readonly log?: Logger,
  ) {
    const prefixes: [Kind, string][] = [
      ['vms', keys.vms.prefix],
      ['sshKeys', keys.sshKeys.prefix],
      ['networks', keys.networks.prefix],
    ];
    const listed = prefixes.map(([kind, prefix]) => {
      let markListed!: () => void;
      const promise = new Promise<void>((resolve) => {
        markListed = resolve;
      });
      this.loops.push(this.follow(kind, prefix, markListed));
      return promise;
    });
    this.ready = Promise.all(listed).then(() => {});
  }

  private async follow(kind: Kind, prefix: string, markListed: () => void): Promise<void> {
    const { signal } = this.abort;
    const backoff = new Backoff(RETRY_MIN_MS, RETRY_MAX_MS);
    while (!signal.aborted) {
      try {
        await followPaged(this.store, prefix, signal, (event) => {
          this.index.apply(kind, event);
          if (event.type !== 'reset') return;
          markListed();
          backoff.reset();
        });
      } catch (err) {
        if (signal.aborted) return;
        this.log?.warn({ err, prefix }, 'metadata index feed failed; listing again');
      }
      await sleep(backoff.next(), undefined, { signal }).catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }
}
