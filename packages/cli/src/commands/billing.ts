import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { printRecord, printRows, type Row } from '../output.js';

/** `nubo bill [--from --to]`: the project's cost per resource line, then per SKU and the total. */
export function billCommands(program: Command, cli: CliContext): void {
  program
    .command('bill')
    .description("the project's cost per resource and per SKU (default: this month so far)")
    .option('--from <time>', 'start, ISO 8601 (e.g. 2026-01-01T00:00:00Z)')
    .option('--to <time>', 'end, ISO 8601 (default: now)')
    .action(async (o) => {
      const query = new URLSearchParams({
        ...(o.from ? { from: o.from } : {}),
        ...(o.to ? { to: o.to } : {}),
      }).toString();
      const bill = await cli.client().get<Row>(`${await cli.projectPath()}/bill${query ? `?${query}` : ''}`);
      if (cli.json) return printRecord(cli.io, true, bill);
      cli.print(`bill ${bill.from} – ${bill.to}`);
      const lines: Row[] = (bill.resources as Row[]).flatMap((r) =>
        (r.lines as Row[]).map((l) => ({
          ...l,
          resource: r.resourceName ?? r.resourceId,
          type: r.resourceType,
        })),
      );
      printRows(cli.io, false, lines, [
        ['RESOURCE', (l) => l.resource],
        ['TYPE', (l) => l.type],
        ['SKU', (l) => l.sku],
        ['UNIT-HOURS', (l) => `${l.unitHours} ${l.unit}·h`],
        ['AMOUNT', (l) => l.amount],
      ]);
      cli.print('');
      printRows(cli.io, false, bill.skus as Row[], [
        ['SKU', (l) => l.sku],
        ['UNIT-HOURS', (l) => `${l.unitHours} ${l.unit}·h`],
        ['AMOUNT', (l) => l.amount],
      ]);
      cli.print(`\ntotal ${bill.total} (${bill.totalCents})`);
    });
}

/** `nubo sku list|add|price` (writes are admin only). */
export function skuCommands(program: Command, cli: CliContext): void {
  const sku = program.command('sku').description('billing SKUs and their prices per hour');
  const current = (s: Row) => {
    const now = Date.now();
    const inForce = (s.prices as Row[]).filter((p) => Date.parse(p.from) <= now);
    const micro = inForce[inForce.length - 1]?.microPerHour as number | undefined;
    return micro === undefined ? '-' : (micro / 1_000_000).toFixed(6);
  };
  const COLUMNS: [string, (s: Row) => unknown][] = [
    ['ID', (s) => s.id],
    ['NAME', (s) => s.name],
    ['UNIT', (s) => s.unit],
    ['PRICE/H', current],
    ['PRICES', (s) => s.prices.length],
  ];
  sku.command('list').action(async () => {
    const { skus } = await cli.client().get<{ skus: Row[] }>('/v1/skus');
    printRows(cli.io, cli.json, skus, COLUMNS);
  });
  sku
    .command('add <id>')
    .description('create a SKU with its first price (admin)')
    .requiredOption('--name <name>', 'what the SKU is called on bills')
    .requiredOption('--unit <unit>', 'what one unit is: vCPU, GiB, tunnel, ...')
    .requiredOption('--price <decimal>', 'price per unit and hour, e.g. 0.0125')
    .option('--from <time>', 'when the price applies (default: always)')
    .action(async (id: string, o) => {
      const body = {
        id,
        name: o.name,
        unit: o.unit,
        pricePerHour: o.price,
        ...(o.from ? { from: o.from } : {}),
      };
      printRows(cli.io, cli.json, [await cli.client().post<Row>('/v1/skus', body)], COLUMNS);
    });
  sku
    .command('price <id>')
    .description('change a SKU price from a time on (admin)')
    .requiredOption('--price <decimal>', 'price per unit and hour')
    .requiredOption('--from <time>', 'when the new price applies, ISO 8601')
    .action(async (id: string, o) => {
      const made = await cli
        .client()
        .post<Row>(`/v1/skus/${encodeURIComponent(id)}/prices`, { pricePerHour: o.price, from: o.from });
      if (cli.json) return printRecord(cli.io, true, made);
      printRows(cli.io, false, made.prices as Row[], [
        ['FROM', (p) => p.from],
        ['PRICE/H', (p) => (p.microPerHour / 1_000_000).toFixed(6)],
      ]);
    });
}
