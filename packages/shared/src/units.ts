import { fieldError } from './errors.js';

/**
 * Sizes as people write them. Binary units (KiB, MiB, GiB, TiB) are powers of
 * 1024; decimal units (kB, MB, GB, TB) are powers of 1000; a bare letter
 * (K, M, G, T) means the binary unit, as qemu-img and libvirt read it. A plain
 * number is in the caller's default unit (MiB for RAM and disk in the API).
 * Anything else, including lower-case bits (`Gb`), signs, spaces inside, or
 * two dots, is an error: Nubo never guesses.
 */
const UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  K: 1024,
  KiB: 1024,
  kB: 1000,
  KB: 1000,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  MB: 1000 ** 2,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
  GB: 1000 ** 3,
  T: 1024 ** 4,
  TiB: 1024 ** 4,
  TB: 1000 ** 4,
};

export type SizeUnit = keyof typeof UNIT_BYTES;

/** The default unit of a plain number, unless the caller names another. */
export const DEFAULT_SIZE_UNIT = 'MiB';

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s?([A-Za-z]+)?$/;

/** Parses `512MiB`, `2GiB`, `2GB`, `10G` or a plain number into bytes (a whole number). */
export function parseSize(input: string | number, field = 'size', defaultUnit = DEFAULT_SIZE_UNIT): number {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const match = SIZE_PATTERN.exec(text);
  if (typeof input === 'number' && (!Number.isFinite(input) || input < 0)) {
    throw fieldError('NUBO_BAD_UNIT', field, `${input} is not a non-negative size`);
  }
  if (!match) throw fieldError('NUBO_BAD_UNIT', field, `"${text}" is not a size such as 512MiB, 2GiB or 10G`);
  const unit = match[2] ?? defaultUnit;
  const factor = UNIT_BYTES[unit];
  if (factor === undefined) {
    throw fieldError(
      'NUBO_BAD_UNIT',
      field,
      `unknown unit "${unit}"; use one of ${Object.keys(UNIT_BYTES).join(', ')}`,
    );
  }
  const bytes = Number(match[1]) * factor;
  if (!Number.isSafeInteger(bytes)) {
    throw fieldError('NUBO_BAD_UNIT', field, `"${text}" is not a whole number of bytes`);
  }
  return bytes;
}

/** Parses a size and returns whole MiB, refusing sizes that are not a whole number of MiB. */
export function parseSizeMiB(input: string | number, field = 'size'): number {
  const bytes = parseSize(input, field);
  if (bytes % UNIT_BYTES.MiB! !== 0) {
    throw fieldError('NUBO_BAD_UNIT', field, `${input} is not a whole number of MiB`);
  }
  return bytes / UNIT_BYTES.MiB!;
}

/** Formats bytes with the largest binary unit that divides them exactly (`2GiB`, `1536MiB`). */
export function formatSize(bytes: number): string {
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB'] as const) {
    const factor = UNIT_BYTES[unit]!;
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}
