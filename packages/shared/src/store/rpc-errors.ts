import {
  EtcdError,
  GRPCDeadlineExceededError,
  GRPCGenericError,
  GRPCInvalidArgumentError,
  GRPCUnavailableError,
} from 'etcd3';
import { ConflictError, isNuboError, NuboError } from '../errors.js';

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

/**
 * Whether an error comes from etcd or the race for a key, not from what was
 * written: etcd unreachable or timed out, a gRPC failure of any kind but a
 * refused argument, a compare that lost. Trying the same request again later
 * may succeed; splitting it up would fail every part alike.
 */
export function isStoreFault(err: unknown): boolean {
  if (err instanceof ConflictError || isNuboError(err, 'NUBO_STORE_UNAVAILABLE')) return true;
  if (err instanceof GRPCInvalidArgumentError) return false; // etcd refuses this value or transaction
  return err instanceof GRPCGenericError || err instanceof EtcdError;
}
