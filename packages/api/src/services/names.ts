import { ConflictError, NuboError } from '@nubo/shared';

/** A conflict on a name index is "already exists"; other conflicts pass through. */
export function nameTaken(err: unknown, nameKey: string, what: string): unknown {
  if (err instanceof ConflictError && err.keys.includes(nameKey)) {
    return new NuboError('NUBO_ALREADY_EXISTS', `${what} already exists`, {
      details: [{ field: '/name', message: 'is taken' }],
    });
  }
  return err;
}
