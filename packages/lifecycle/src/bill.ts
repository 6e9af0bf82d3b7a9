import {
  BomMovement,
  type Entry,
  fieldError,
  type Keys,
  Sku,
  type Static,
  type Store,
  Timestamp,
  Type,
  validate,
} from '@nubo/shared';
import {
  addFractions,
  type Fraction,
  formatCents,
  formatMicro,
  MS_PER_HOUR,
  roundMicro,
  ZERO,
} from './money.js';
import { priceSegments } from './skus.js';

/** `GET /v1/projects/:p/bill?from&to` */
export const BillQuery = Type.Object({ from: Timestamp, to: Timestamp }, { additionalProperties: false });
export type BillQuery = Static<typeof BillQuery>;

export interface BillLine {
  sku: string;
  unit: string;
  /** Units × hours consumed, 6 decimals (e.g. `24.000000` for 2 vCPU over 12 h). */
  unitHours: string;
  amountMicro: number;
  amount: string;
}

export interface BillResource {
  resourceType: BomMovement['resourceType'];
  resourceId: string;
  resourceName?: string;
  lines: BillLine[];
  amountMicro: number;
  amount: string;
}

export interface Bill {
  projectId: string;
  from: string;
  to: string;
  resources: BillResource[];
  /** The same lines summed per SKU across resources (sums of the rounded lines, so they add up to the total). */
  skus: BillLine[];
  totalMicro: number;
  /** Exact to the micro-unit, 6 decimals. */
  total: string;
  /** Rounded half-up to the cent. */
  totalCents: string;
}

/**
 * A project's cost over [from, to): for every resource, the sum over the
 * intervals between its BOM movements of quantity × price × hours, each
 * interval cut at the SKUs' price changes; exact fractions until each line
 * is rounded (once) to micro-units. Consumption after `now` is not billed.
 */
export async function computeBill(
  store: Store,
  keys: Keys,
  projectId: string,
  query: unknown,
  now = new Date(),
): Promise<Bill> {
  const { from, to } = validate(BillQuery, query);
  const start = Date.parse(from);
  const end = Math.min(Date.parse(to), now.getTime());
  if (Date.parse(to) <= start) throw fieldError('NUBO_VALIDATION', '/to', 'must be after from');
  const [movements, skus] = await Promise.all([
    store.list(keys.bom.ofProject(projectId), BomMovement),
    store.list(keys.skus.prefix, Sku),
  ]);
  const skuById = new Map(skus.entries.map((e) => [e.value.id, e.value]));
  const resources = groupByResource(movements.entries)
    .map((ms) => billResource(ms, skuById, start, end))
    .filter((r) => r.lines.length > 0);
  const totalMicro = resources.reduce((sum, r) => sum + BigInt(r.amountMicro), 0n);
  return {
    projectId,
    from: new Date(start).toISOString(),
    to: new Date(Date.parse(to)).toISOString(),
    resources,
    skus: skuTotals(resources),
    totalMicro: Number(totalMicro),
    total: formatMicro(totalMicro),
    totalCents: formatCents(totalMicro),
  };
}

/** Per SKU: the resources' lines added up (unit-hours and amounts are exact sums of 6-decimal figures). */
function skuTotals(resources: BillResource[]): BillLine[] {
  const bySku = new Map<string, { unit: string; unitHoursMicro: bigint; amountMicro: number }>();
  for (const line of resources.flatMap((r) => r.lines)) {
    const t = bySku.get(line.sku) ?? { unit: line.unit, unitHoursMicro: 0n, amountMicro: 0 };
    t.unitHoursMicro += BigInt(line.unitHours.replace('.', ''));
    t.amountMicro += line.amountMicro;
    bySku.set(line.sku, t);
  }
  return [...bySku.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([sku, t]) => ({
      sku,
      unit: t.unit,
      unitHours: formatMicro(t.unitHoursMicro),
      amountMicro: t.amountMicro,
      amount: formatMicro(t.amountMicro),
    }));
}

function groupByResource(entries: Entry<BomMovement>[]): BomMovement[][] {
  const byResource = new Map<string, BomMovement[]>();
  for (const { value } of entries) {
    const list = byResource.get(value.resourceId) ?? [];
    list.push(value);
    byResource.set(value.resourceId, list);
  }
  return [...byResource.values()].map((ms) =>
    ms.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.revision - b.revision),
  );
}

interface Accum {
  unitHours: Fraction;
  amount: Fraction;
}

function billResource(ms: BomMovement[], skus: Map<string, Sku>, start: number, end: number): BillResource {
  const acc = new Map<string, Accum>();
  ms.forEach((m, i) => {
    const s = Math.max(start, Date.parse(m.time));
    const next = ms[i + 1];
    const e = Math.min(end, next ? Date.parse(next.time) : Number.POSITIVE_INFINITY);
    if (e <= s) return;
    for (const line of m.lines) {
      const a = acc.get(line.sku) ?? { unitHours: ZERO, amount: ZERO };
      const den = MS_PER_HOUR * BigInt(line.per);
      a.unitHours = addFractions(a.unitHours, { num: BigInt(line.quantity) * BigInt(e - s), den });
      for (const seg of priceSegments(skus.get(line.sku), s, e)) {
        const num = BigInt(line.quantity) * BigInt(seg.microPerHour) * BigInt(seg.end - seg.start);
        a.amount = addFractions(a.amount, { num, den });
      }
      acc.set(line.sku, a);
    }
  });
  const lines = [...acc.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([sku, a]) => toLine(sku, a, skus));
  const amountMicro = lines.reduce((sum, l) => sum + l.amountMicro, 0);
  const last = ms[ms.length - 1]!;
  return {
    resourceType: last.resourceType,
    resourceId: last.resourceId,
    ...(last.resourceName ? { resourceName: last.resourceName } : {}),
    lines,
    amountMicro,
    amount: formatMicro(amountMicro),
  };
}

function toLine(sku: string, a: Accum, skus: Map<string, Sku>): BillLine {
  const amountMicro = Number(roundMicro(a.amount));
  return {
    sku,
    unit: skus.get(sku)?.unit ?? 'unit',
    unitHours: formatMicro(roundMicro({ num: a.unitHours.num * 1_000_000n, den: a.unitHours.den })),
    amountMicro,
    amount: formatMicro(amountMicro),
  };
}
