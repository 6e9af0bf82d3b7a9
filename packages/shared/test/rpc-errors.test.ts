import { BrokenCircuitError } from 'cockatiel';
import { GRPCInvalidArgumentError, GRPCResourceExhastedError, GRPCUnavailableError } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { ConflictError, NuboError } from '../src/errors.js';
import { guarded, isStoreFault } from '../src/store/rpc-errors.js';

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

// The scheduler halves a failing batch to find the request at fault, except
// when the fault is etcd's or a race's: then every half would fail alike.
describe('isStoreFault', () => {
  it.each([
    ['etcd unreachable', new NuboError('NUBO_STORE_UNAVAILABLE')],
    ['a lost race', new ConflictError(['/k'])],
    ['a gRPC failure', new GRPCUnavailableError('14 UNAVAILABLE')],
    ['etcd overloaded', new GRPCResourceExhastedError('too many requests')],
  ])('is true for %s', (_what, err) => {
    expect(isStoreFault(err)).toBe(true);
  });

  it.each([
    ['a record that does not parse', new NuboError('NUBO_STORE_CORRUPT')],
    ['a transaction etcd refuses', new GRPCInvalidArgumentError('duplicate key given in txn request')],
    ['a bug met on some data', new TypeError("reading 'cpus' of undefined")],
  ])('is false for %s', (_what, err) => {
    expect(isStoreFault(err)).toBe(false);
  });
});
