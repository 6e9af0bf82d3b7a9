import { fieldError, parseSize, parseSizeMiB } from '@nubo/shared';

const GiB = 1024 ** 3;

/** RAM as whole MiB within bounds; a plain number is MiB. */
export function ramMiB(input: string | number, field = '/ram', min = 64, max = 4 * 1024 * 1024): number {
  const mib = parseSizeMiB(input, field);
  if (mib < min || mib > max)
    throw fieldError('NUBO_VALIDATION', field, `must be between ${min}MiB and ${max}MiB`);
  return mib;
}

/** Disk as whole GiB within bounds; a plain number is MiB (as everywhere), so it must be a multiple of 1024. */
export function diskGiB(input: string | number, field = '/disk', min = 1, max = 65536): number {
  const bytes = parseSize(input, field);
  if (bytes % GiB !== 0) throw fieldError('NUBO_BAD_UNIT', field, `${input} is not a whole number of GiB`);
  const gib = bytes / GiB;
  if (gib < min || gib > max)
    throw fieldError('NUBO_VALIDATION', field, `must be between ${min}GiB and ${max}GiB`);
  return gib;
}
