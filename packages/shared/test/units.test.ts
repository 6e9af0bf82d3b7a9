import { describe, expect, it } from 'vitest';
import { formatSize, isNuboError, parseSize, parseSizeMiB } from '../src/index.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('parseSize', () => {
  it.each([
    ['512MiB', 512 * MiB],
    ['2GiB', 2 * GiB],
    ['2GB', 2 * 1000 ** 3],
    ['10G', 10 * GiB],
    ['1.5GiB', 1.5 * GiB],
    ['100kB', 100_000],
    ['4096', 4096 * MiB],
    [4096, 4096 * MiB],
    ['1 TiB', 1024 * GiB],
    ['0', 0],
  ])('%s is %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each([
    '2Gb',
    '-1G',
    '1.5.2G',
    '',
    ' ',
    'G',
    '2 GiB extra',
    '1e3M',
    '0x10M',
    '2gib',
    '1.5B',
    'NaN',
    'Infinity',
  ])('refuses %j with NUBO_BAD_UNIT naming the field', (input) => {
    let caught: unknown;
    try {
      parseSize(input, 'ram');
    } catch (err) {
      caught = err;
    }
    expect(isNuboError(caught, 'NUBO_BAD_UNIT')).toBe(true);
    expect((caught as { details: { field: string }[] }).details[0]?.field).toBe('ram');
  });

  it('refuses negative and non-finite numbers', () => {
    expect(() => parseSize(-1)).toThrow(/not a/);
    expect(() => parseSize(Number.NaN)).toThrow(/not a/);
  });

  it('takes another default unit for plain numbers', () => {
    expect(parseSize('3', 'disk', 'GiB')).toBe(3 * GiB);
  });
});

describe('parseSizeMiB and formatSize', () => {
  it('converts to whole MiB and refuses fractions of a MiB', () => {
    expect(parseSizeMiB('2GiB')).toBe(2048);
    expect(() => parseSizeMiB('1000kB')).toThrow(/whole number of MiB/);
  });

  it.each([
    [2 * GiB, '2GiB'],
    [1536 * MiB, '1536MiB'],
    [1024, '1KiB'],
    [1000, '1000B'],
  ])('formats %d as %s and parses it back', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
    expect(parseSize(text)).toBe(bytes);
  });
});
