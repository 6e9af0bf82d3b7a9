import type { Entry, OnInvalid, Static, TSchema } from '@nubo/shared';
import type { ApiContext } from '../context.js';

/**
 * The records under a prefix for a listing (a tenant's, or the admin's). One
 * that does not parse or fit its schema (written by hand, or by a bug) is
 * logged and left out: tenants' lists read a prefix every tenant shares (all
 * VMs, all networks), and one bad record must not fail everybody's list; the
 * admin's lists of users and hosts stay usable while the admin repairs it.
 * Reads that decide something
 * (is a network still in use, may a project go) keep failing on such a
 * record instead, and `GET /v1/admin/check` reports it.
 */
export async function listValid<S extends TSchema>(
  ctx: ApiContext,
  prefix: string,
  schema: S,
  /** Filled with the keys left out, for a listing that joins several prefixes. */
  leftOut?: Set<string>,
): Promise<Entry<Static<S>>[]> {
  const log = logLeftOut(ctx);
  const onInvalid: OnInvalid = (key, err, modRevision) => {
    log(key, err, modRevision);
    leftOut?.add(key);
  };
  return (await ctx.store.list(prefix, schema, onInvalid)).entries;
}

/** How a listing reports a record it leaves out. */
export function logLeftOut(ctx: ApiContext): OnInvalid {
  return (key, err) => ctx.logger.error({ key, err }, 'invalid record left out of a listing');
}
