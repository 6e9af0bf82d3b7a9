import { NuboError, type Store, type TSchema, validate } from '@nubo/shared';

export interface Read<T> {
  key: string;
  value: T;
  modRevision: number;
}

/**
 * Reads several keys in one round trip and one snapshot: an etcd transaction
 * with no compares whose operations are all reads. Missing keys are absent
 * from the map. Values are parsed; `schemaOf` picks a schema to check a key's
 * value with (a mismatch is NUBO_STORE_CORRUPT, as with `store.get`).
 */
export async function readMany(
  store: Store,
  keys: string[],
  schemaOf: (key: string) => TSchema | undefined = () => undefined,
): Promise<Map<string, Read<unknown>>> {
  const unique = [...new Set(keys)];
  const out = new Map<string, Read<unknown>>();
  if (unique.length === 0) return out;
  const res = await store.client.kv
    .txn({
      compare: [],
      success: unique.map((key) => ({ request_range: { key: Buffer.from(key) } })),
      failure: [],
    })
    .catch((cause: Error) => {
      // The client's transport errors, as the store reports them.
      if (/GRPC(Unavailable|DeadlineExceeded)/.test(cause.constructor.name)) {
        throw new NuboError('NUBO_STORE_UNAVAILABLE', 'etcd cannot be reached (txn)', { cause });
      }
      throw cause;
    });
  res.responses.forEach((r) => {
    const kv = r.response_range?.kvs[0];
    if (!kv) return;
    const key = kv.key.toString();
    const parsed: unknown = JSON.parse(kv.value.toString());
    const schema = schemaOf(key);
    out.set(key, {
      key,
      value: schema ? validate(schema, parsed, 'NUBO_STORE_CORRUPT', key) : parsed,
      modRevision: Number(kv.mod_revision),
    });
  });
  return out;
}
