import { GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { NuboError } from '../errors.js';

/**
 * The etcd3 client's circuit breaker (cockatiel) refusing a call while it
 * holds an endpoint for dead. Recognised the way cockatiel's own
 * isBrokenCircuitError does, without depending on cockatiel directly.
 */
function isBrokenCircuit(err: unknown): boolean {
  return err instanceof Error && 'isBrokenCircuitError' in err;
}

/** Turns the client's transport errors into NUBO_STORE_UNAVAILABLE; others pass through. */
export async function guarded<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof NuboError) throw err;
    if (
      err instanceof GRPCUnavailableError ||
      err instanceof GRPCDeadlineExceededError ||
      isBrokenCircuit(err)
    ) {
      throw new NuboError('NUBO_STORE_UNAVAILABLE', `etcd cannot be reached (${what})`, { cause: err });
    }
    throw err;
  }
}
