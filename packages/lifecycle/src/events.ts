import {
  Event,
  type Keys,
  type OnInvalid,
  type Static,
  type Store,
  Timestamp,
  Type,
  validate,
} from '@nubo/shared';

/** `GET /v1/projects/:p/events` and `GET /v1/projects/:p/vms/:id/events` */
export const EventsQuery = Type.Object(
  {
    since: Type.Optional(Timestamp),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;

export const DEFAULT_EVENTS_LIMIT = 100;

/**
 * A project's events (or one resource's), oldest first: the keys are
 * numbered by etcd revision, so key order is the order things happened.
 * `limit` keeps the newest ones.
 */
export async function listEvents(
  store: Store,
  keys: Keys,
  projectId: string,
  query: unknown = {},
  options: {
    /** Only this resource's events. */
    resourceId?: string;
    /** Given: an event that does not parse is left out and reported here; without, it fails the listing. */
    onInvalid?: OnInvalid;
  } = {},
): Promise<Event[]> {
  const { resourceId, onInvalid } = options;
  const q = validate(EventsQuery, query);
  const { entries } = await store.list(keys.events.ofProject(projectId), Event, onInvalid);
  const since = q.since ? Date.parse(q.since) : Number.NEGATIVE_INFINITY;
  const events = entries
    .map((e) => e.value)
    .filter((e) => (resourceId === undefined || e.resourceId === resourceId) && Date.parse(e.time) >= since);
  return events.slice(-(q.limit ?? DEFAULT_EVENTS_LIMIT));
}

/**
 * Deletes every event older than `cutoff` (by its `time`); returns how many.
 * An event that is not JSON cannot be dated: it is left, reported to
 * `onInvalid`, and does not hold up the others.
 */
export async function pruneEvents(
  store: Store,
  keys: Keys,
  cutoff: Date,
  { batch = 128, onInvalid = () => {} }: { batch?: number; onInvalid?: OnInvalid } = {},
): Promise<number> {
  const { entries } = await store.list(keys.events.prefix, undefined, onInvalid);
  const old = entries.filter((e) => {
    const time = (e.value as { time?: unknown }).time;
    return typeof time === 'string' && Date.parse(time) < cutoff.getTime();
  });
  for (let i = 0; i < old.length; i += batch) {
    const txn = store.txn();
    for (const e of old.slice(i, i + batch)) txn.delete(e.key);
    await txn.commit();
  }
  return old.length;
}
