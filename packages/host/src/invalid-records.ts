import type { Logger, OnInvalid } from '@nubo/shared';

/**
 * What a host daemon does with a record it cannot read (not JSON, or not its
 * schema): logs it and works on without it, so one bad request or VM record
 * costs that one, not the host's watch or its reconcile pass.
 */
export function invalidRecord(log: Logger, what: string): OnInvalid {
  return (key, err) => log.error({ err, key }, `invalid ${what}; left alone`);
}
