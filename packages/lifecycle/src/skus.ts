import {
  ConflictError,
  type Keys,
  NuboError,
  Sku,
  SkuCreateInput,
  SkuPriceInput,
  type Store,
  validate,
} from '@nubo/shared';
import { parseMoney } from './money.js';

/** The price a SKU created without `from` has: in force since the epoch. */
export const EPOCH = new Date(0).toISOString();

/**
 * Admin SKU management. A SKU is never deleted (old bills refer to it); a
 * price change is a new entry in its history, in force from its own `from`.
 */
export async function createSku(store: Store, keys: Keys, body: unknown, now = new Date()): Promise<Sku> {
  const input = validate(SkuCreateInput, body);
  const at = now.toISOString();
  const sku: Sku = {
    id: input.id,
    name: input.name,
    unit: input.unit,
    prices: [{ from: normalizeTime(input.from ?? EPOCH), microPerHour: parseMoney(input.pricePerHour) }],
    createdAt: at,
    updatedAt: at,
  };
  try {
    await store.txn().create(keys.skus.one(sku.id), sku).commit();
  } catch (err) {
    if (err instanceof ConflictError) {
      throw new NuboError('NUBO_ALREADY_EXISTS', `SKU ${sku.id} already exists`, {
        details: [{ field: '/id', message: 'is taken' }],
      });
    }
    throw err;
  }
  return sku;
}

/** Adds a price from `from` on (a price at the same instant is replaced). */
export async function addPrice(
  store: Store,
  keys: Keys,
  skuId: string,
  body: unknown,
  now = new Date(),
): Promise<Sku> {
  const input = validate(SkuPriceInput, body);
  const price = { from: normalizeTime(input.from), microPerHour: parseMoney(input.pricePerHour) };
  const entry = await store.update(keys.skus.one(skuId), Sku, (sku) => ({
    ...sku,
    prices: [...sku.prices.filter((p) => Date.parse(p.from) !== Date.parse(price.from)), price].sort(
      (a, b) => Date.parse(a.from) - Date.parse(b.from),
    ),
    updatedAt: now.toISOString(),
  }));
  return entry.value;
}

export async function getSku(store: Store, keys: Keys, skuId: string): Promise<Sku> {
  return (await store.require(keys.skus.one(skuId), Sku, `SKU ${skuId}`)).value;
}

export async function listSkus(store: Store, keys: Keys): Promise<Sku[]> {
  return (await store.list(keys.skus.prefix, Sku)).entries.map((e) => e.value);
}

/** One stretch of time with one price. */
export interface PriceSegment {
  start: number;
  end: number;
  microPerHour: number;
}

/**
 * The prices in force over [start, end), as segments cut at each price change.
 * Time before a SKU's first price, or of a SKU that does not exist, costs nothing.
 */
export function priceSegments(sku: Sku | undefined, start: number, end: number): PriceSegment[] {
  if (!sku || end <= start) return [];
  const out: PriceSegment[] = [];
  sku.prices.forEach((price, i) => {
    const from = Date.parse(price.from);
    const next = sku.prices[i + 1];
    const until = next ? Date.parse(next.from) : Number.POSITIVE_INFINITY;
    const s = Math.max(start, from);
    const e = Math.min(end, until);
    if (e > s) out.push({ start: s, end: e, microPerHour: price.microPerHour });
  });
  return out;
}

function normalizeTime(text: string): string {
  return new Date(Date.parse(text)).toISOString();
}
