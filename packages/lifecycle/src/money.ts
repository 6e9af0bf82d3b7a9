import { fieldError } from '@nubo/shared';

/**
 * Money is counted in micro-units (1 currency unit = 1 000 000) as integers;
 * a cost over an interval is an exact fraction (price × quantity × ms over
 * 3 600 000 × per), summed as fractions and rounded once, to micro-units.
 */
export const MICRO = 1_000_000n;
export const MS_PER_HOUR = 3_600_000n;

/** `0.0125` → 12500: a decimal price as an admin writes it, exactly. */
export function parseMoney(text: string, field = '/pricePerHour'): number {
  const m = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m)
    throw fieldError('NUBO_VALIDATION', field, 'must be a decimal with at most 6 places, such as 0.0125');
  const whole = BigInt(m[1]!);
  const frac = BigInt((m[2] ?? '').padEnd(6, '0'));
  return Number(whole * MICRO + frac);
}

/** 12500 → `0.012500`: micro-units as a decimal with 6 places. */
export function formatMicro(micro: bigint | number): string {
  const v = BigInt(micro);
  const sign = v < 0n ? '-' : '';
  const abs = v < 0n ? -v : v;
  return `${sign}${abs / MICRO}.${(abs % MICRO).toString().padStart(6, '0')}`;
}

/** Micro-units rounded half-up to cents, as `12.35`. */
export function formatCents(micro: bigint | number): string {
  const v = BigInt(micro);
  const cents = (v + 5_000n) / 10_000n;
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

/** A non-negative exact fraction. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

export const ZERO: Fraction = { num: 0n, den: 1n };

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

export function addFractions(a: Fraction, b: Fraction): Fraction {
  const num = a.num * b.den + b.num * a.den;
  const den = a.den * b.den;
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

/** Rounded half-up to whole micro-units. */
export function roundMicro(f: Fraction): bigint {
  return (2n * f.num + f.den) / (2n * f.den);
}
