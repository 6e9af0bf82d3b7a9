// One record that does not parse, or does not fit its schema, must cost that
// record, not the reader: with `onInvalid` a list, a read of many keys and a
// follow leave it out, report it, and go on; without it they fail as before.
import { follow, type NuboError, readMany, Type, type WatchEvent } from '@nubo/shared';
import { uniquePrefix, waitUntil } from '@nubo/test';
import { useEtcdStore } from '@nubo/test/vitest';
import { expect, it } from 'vitest';

const Thing = Type.Object({ n: Type.Integer() }, { additionalProperties: false });

let prefix: string;
const db = useEtcdStore();

async function seed(): Promise<void> {
  prefix = uniquePrefix('invalid');
  await db.store.put(`${prefix}a`, { n: 1 });
  await db.store.client.put(`${prefix}b`).value('{"n": not json');
  await db.store.put(`${prefix}c`, { n: 'three' });
  await db.store.put(`${prefix}d`, { n: 4 });
}

function collector() {
  const invalid: string[] = [];
  const onInvalid = (key: string, err: NuboError) => {
    expect(err.code).toBe('NUBO_STORE_CORRUPT');
    invalid.push(key.slice(prefix.length));
  };
  return { invalid, onInvalid };
}

it('list and readMany leave invalid records out and report them', async () => {
  await seed();
  await expect(db.store.list(prefix, Thing)).rejects.toMatchObject({ code: 'NUBO_STORE_CORRUPT' });

  const listed = collector();
  const { entries } = await db.store.list(prefix, Thing, listed.onInvalid);
  expect(entries.map((e) => e.value.n)).toEqual([1, 4]);
  expect(listed.invalid).toEqual(['b', 'c']);

  const read = collector();
  const keys = ['a', 'b', 'c', 'd', 'missing'].map((k) => `${prefix}${k}`);
  const many = await readMany(db.store, keys, Thing, { onInvalid: read.onInvalid });
  expect(many.entries.map((e) => e?.value.n)).toEqual([1, undefined, undefined, 4, undefined]);
  expect(read.invalid).toEqual(['b', 'c']);
  await db.store.deletePrefix(prefix);
});

it('a follow skips invalid records, in its reset and as changes, and keeps following', async () => {
  await seed();
  const { invalid, onInvalid } = collector();
  const events: WatchEvent<{ n: number }>[] = [];
  const stop = new AbortController();
  const done = follow(db.store, prefix, { schema: Thing, signal: stop.signal, onInvalid }, (e) =>
    events.push(e),
  );
  await waitUntil(() => events.length === 1);
  expect(events[0]).toMatchObject({ type: 'reset', entries: [{ value: { n: 1 } }, { value: { n: 4 } }] });

  await db.store.client.put(`${prefix}e`).value('[');
  await db.store.put(`${prefix}f`, { n: 6 });
  await db.store.delete(`${prefix}b`);
  await waitUntil(() => events.length === 3);
  stop.abort();
  await done;
  expect(events.slice(1).map((e) => (e.type === 'put' ? `put ${e.entry.value.n}` : e.type))).toEqual([
    'put 6',
    'delete',
  ]);
  expect(invalid).toEqual(['b', 'c', 'e']);
  await db.store.deletePrefix(prefix);
});

it('without onInvalid, a follow still ends at the first invalid record', async () => {
  await seed();
  await expect(follow(db.store, prefix, { schema: Thing }, () => {})).rejects.toMatchObject({
    code: 'NUBO_STORE_CORRUPT',
  });
  await db.store.deletePrefix(prefix);
});
