import type { CliIo } from './io.js';

export type Column<T> = [header: string, value: (row: T) => unknown];

/** A record of an API answer, shown as a table row or `key: value` lines: its fields are read as they come. */
// biome-ignore lint/suspicious/noExplicitAny: API answers are printed as they come
export type Row = Record<string, any>;

/** Rows as an aligned text table, or as JSON with `--json`. */
export function printRows<T>(io: CliIo, json: boolean, rows: T[], columns: Column<T>[]): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const cells = rows.map((r) => columns.map(([, get]) => text(get(r))));
  const headers = columns.map(([h]) => h);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  io.stdout.write(`${[line(headers), ...cells.map(line)].join('\n')}\n`);
}

/** One record as `key: value` lines, or as JSON. */
export function printRecord(io: CliIo, json: boolean, record: Record<string, unknown>): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  const lines = Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${text(v)}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (Array.isArray(value)) return value.map(text).join(',') || '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
