import { type Static, Type } from '@sinclair/typebox';
import { Id, Timestamp } from './common.js';

/**
 * Billing by SKU (after CloudCIX): a resource is a bill of materials, a list of
 * SKUs and quantities; each SKU has a price per hour that changes over time;
 * every change of a resource's quantities is a BOM movement. See docs/lifecycle.md.
 */

/** A SKU id: lower-case, such as `vcpu`, `ram-gib`, `image-<uuid>`. */
export const SkuId = Type.String({ pattern: '^[a-z0-9]([a-z0-9.-]{0,126}[a-z0-9])?$' });

/** Money in micro-units of the region's currency (1 EUR = 1 000 000): integers, so sums are exact. */
export const MicroAmount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** A price as an admin writes it: a decimal with up to 6 places, such as `0.0125`. */
export const DecimalPrice = Type.String({
  pattern: '^\\d{1,9}(\\.\\d{1,6})?$',
  description: 'per hour, e.g. 0.0125',
});

/** One price of a SKU, in force from `from` until the next price's `from`. */
export const SkuPrice = Type.Object(
  { from: Timestamp, microPerHour: MicroAmount },
  { additionalProperties: false },
);
export type SkuPrice = Static<typeof SkuPrice>;

/** Under `skus/<id>`: admin-managed; `prices` is the whole price history, oldest first. */
export const Sku = Type.Object(
  {
    id: SkuId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** What one unit is: `vCPU`, `GiB`, `tunnel`, `licence`. */
    unit: Type.String({ minLength: 1, maxLength: 32 }),
    prices: Type.Array(SkuPrice, { minItems: 1, maxItems: 10_000 }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { additionalProperties: false },
);
export type Sku = Static<typeof Sku>;

/** `POST /v1/skus` (admin) */
export const SkuCreateInput = Type.Object(
  {
    id: SkuId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    unit: Type.String({ minLength: 1, maxLength: 32 }),
    pricePerHour: DecimalPrice,
    /** When the first price applies; default: the epoch, so it covers all history. */
    from: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type SkuCreateInput = Static<typeof SkuCreateInput>;

/** `POST /v1/skus/:id/prices` (admin): a new price from a time on. */
export const SkuPriceInput = Type.Object(
  { pricePerHour: DecimalPrice, from: Timestamp },
  { additionalProperties: false },
);
export type SkuPriceInput = Static<typeof SkuPriceInput>;

export const BillableType = Type.Union([
  Type.Literal('vm'),
  Type.Literal('network'),
  Type.Literal('vpn-tunnel'),
  Type.Literal('floating-ip'),
]);
export type BillableType = Static<typeof BillableType>;

/** `quantity / per` units of the SKU: RAM is counted in MiB with `per` 1024 for a price per GiB. */
export const BomLine = Type.Object(
  { sku: SkuId, quantity: Type.Integer({ minimum: 0 }), per: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export type BomLine = Static<typeof BomLine>;

/**
 * Under `bom/<project>/<resource>/<time>-<revision>`: from `time` on, the
 * resource consumes exactly `lines` (a level, not a delta; no lines = nothing).
 */
export const BomMovement = Type.Object(
  {
    projectId: Id,
    resourceType: BillableType,
    resourceId: Id,
    resourceName: Type.Optional(Type.String({ maxLength: 255 })),
    time: Timestamp,
    /** The etcd revision of the change it was derived from. */
    revision: Type.Integer({ minimum: 1 }),
    /** The resource's state then, e.g. `running`, `quiesced`, `scrub_queue`. */
    state: Type.String({ maxLength: 64 }),
    lines: Type.Array(BomLine, { maxItems: 64 }),
  },
  { additionalProperties: false },
);
export type BomMovement = Static<typeof BomMovement>;
