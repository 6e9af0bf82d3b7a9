import {
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
} from 'cockatiel';
import { GRPCUnavailableError, type IOptions } from 'etcd3';

/**
 * Fault handling for a client that must ride out load spikes (StoreOptions
 * `faultHandling: 'overload-tolerant'`). The etcd3 client's default opens a
 * circuit breaker for 5 s after 3 consecutive "recoverable" errors, and
 * DEADLINE_EXCEEDED counts as one: a burst that makes a few calls time out
 * (1,000 lease grants at once, say) turns into 5 s in which every call fails
 * at once, and its retries (3, on any recoverable error) add to the load that
 * caused it. Here only UNAVAILABLE (etcd not reachable) counts: the breaker
 * opens after 5 in a row for 1 s, and such a call is retried twice with backoff.
 * A call that merely took too long fails alone, with NUBO_STORE_UNAVAILABLE.
 */
export function overloadTolerant(): NonNullable<IOptions['faultHandling']> {
  const unreachable = handleWhen((err) => err instanceof GRPCUnavailableError);
  return {
    host: () =>
      circuitBreaker(unreachable, { halfOpenAfter: 1_000, breaker: new ConsecutiveBreaker(5) }) as IPolicy,
    global: retry(unreachable, {
      maxAttempts: 2,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
    }) as IPolicy,
  };
}
