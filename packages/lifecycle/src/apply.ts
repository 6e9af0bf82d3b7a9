import { type BomMovement, ConflictError, type Event, type Keys, type Store } from '@nubo/shared';
import type { Derived } from './derived.js';
import type { Cursor, Notification } from './outbox.js';

export function revisionId(revision: number): string {
  return String(revision).padStart(12, '0');
}

/**
 * Writes what one change led to, in one transaction that creates every key
 * (each named after the revision, so it must not exist yet) and moves the
 * cursor. A second attempt for the same revision finds the keys and does
 * nothing: that is what makes a replay after a crash harmless.
 */
export async function applyDerived(
  store: Store,
  keys: Keys,
  source: string,
  d: Derived,
  revision: number,
  now: Date,
): Promise<'written' | 'duplicate'> {
  const txn = store.txn();
  const rev = revisionId(revision);
  d.events.forEach((draft, i) => {
    const id = `${rev}-${d.resourceId}-${i}`;
    const event: Event = {
      id,
      projectId: d.projectId,
      resourceType: d.resourceType,
      resourceId: d.resourceId,
      ...(d.resourceName ? { resourceName: d.resourceName } : {}),
      revision,
      ...draft,
    };
    txn.create(keys.events.one(d.projectId, id), event);
  });
  if (d.bom) {
    const movement: BomMovement = {
      projectId: d.projectId,
      resourceType: d.bom.resourceType,
      resourceId: d.resourceId,
      ...(d.resourceName ? { resourceName: d.resourceName } : {}),
      time: d.bom.time,
      revision,
      state: d.bom.state,
      lines: d.bom.lines,
    };
    txn.create(keys.bom.one(d.projectId, d.resourceId, `${d.bom.time}-${rev}`), movement);
  }
  for (const draft of d.notifications) {
    const id = `${rev}-${d.resourceId}-${draft.template}`;
    const n: Notification = {
      id,
      projectId: d.projectId,
      template: draft.template,
      vars: draft.vars,
      createdAt: now.toISOString(),
      revision,
      attempts: 0,
    };
    txn.create(keys.notifications.one(id), n);
  }
  const cursor: Cursor = { revision, updatedAt: now.toISOString() };
  txn.put(keys.lifecycle.cursor(source), cursor);
  try {
    await txn.commit();
    return 'written';
  } catch (err) {
    if (err instanceof ConflictError) return 'duplicate';
    throw err;
  }
}
