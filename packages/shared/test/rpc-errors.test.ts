import { BrokenCircuitError } from 'cockatiel';
import { GRPCUnavailableError } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { guarded } from '../src/store/rpc-errors.js';

// The chaos test saw 500 NUBO_INTERNAL while etcd members died: the client's
// circuit breaker refused calls, and that error was not taken for "unavailable".
describe('guarded', () => {
  it.each([
    ['the circuit breaker is open', new BrokenCircuitError()],
    ['a member is unavailable', new GRPCUnavailableError('14 UNAVAILABLE')],
  ])('reports %s as NUBO_STORE_UNAVAILABLE', async (_what, err) => {
    await expect(guarded('get', () => Promise.reject(err))).rejects.toMatchObject({
      code: 'NUBO_STORE_UNAVAILABLE',
      cause: err,
    });
  });

  it('lets any other error through as it is', async () => {
    const err = new TypeError('a bug');
    await expect(guarded('get', () => Promise.reject(err))).rejects.toBe(err);
  });
});
