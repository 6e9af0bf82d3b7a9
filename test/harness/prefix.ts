import { randomBytes } from 'node:crypto';

/** A region prefix of its own for one test, so tests sharing an etcd never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `/nubo-test/${label}-${randomBytes(4).toString('hex')}/`;
}
