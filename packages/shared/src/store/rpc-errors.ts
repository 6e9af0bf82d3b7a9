import { GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import { NuboError } from '../errors.js';

/** Turns the client's transport errors into NUBO_STORE_UNAVAILABLE; others pass through. */
export async function guarded<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof NuboError) throw err;
    if (err instanceof GRPCUnavailableError || err instanceof GRPCDeadlineExceededError) {
      throw new NuboError('NUBO_STORE_UNAVAILABLE', `etcd cannot be reached (${what})`, { cause: err });
    }
    throw err;
  }
}
