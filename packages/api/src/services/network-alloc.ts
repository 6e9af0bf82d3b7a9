import { randomInt } from 'node:crypto';
import { fieldError, formatIpv6, NuboError, parseIpv6 } from '@nubo/shared';

/** The first 48 bits of the region's /48. */
export function parsePrefix48(prefix: string): Uint8Array {
  const match = /^([^/]+)\/48$/.exec(prefix.trim());
  if (!match) throw fieldError('NUBO_CONFIG', 'regionIpv6Prefix', `"${prefix}" is not an IPv6 /48`);
  const bytes = parseIpv6(match[1]!, 'regionIpv6Prefix');
  if (bytes.subarray(6).some((b) => b !== 0)) {
    throw fieldError('NUBO_CONFIG', 'regionIpv6Prefix', `"${prefix}" has bits set past /48`);
  }
  return bytes;
}

/** The /64 numbered `subnet` (0-65535) inside the /48, as text. */
export function subnet64(region: Uint8Array, subnet: number): string {
  const bytes = new Uint8Array(16);
  bytes.set(region.subarray(0, 6), 0);
  bytes[6] = subnet >> 8;
  bytes[7] = subnet & 0xff;
  return `${formatIpv6(bytes)}/64`;
}

/**
 * Candidates to try, random so that concurrent creates rarely pick the same
 * one; the caller creates the index key in its transaction, which is what
 * makes a value used once. /64 number 0 is left for the region's own use.
 */
export function randomSubnet(): number {
  return randomInt(1, 65536);
}

export function randomSegment(max: number): number {
  return randomInt(2, max + 1);
}

/** An IPv4 network must be given by its network address (`10.0.0.0/24`, not `10.0.0.5/24`). */
export function checkIpv4Network(cidr: string, field = '/ipv4Cidr'): void {
  const [addr = '', len = '0'] = cidr.split('/');
  const value = addr.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const hostBits = 32 - Number(len);
  if (value % 2 ** hostBits !== 0) throw fieldError('NUBO_VALIDATION', field, `${cidr} has host bits set`);
}

export function exhausted(what: string): NuboError {
  return new NuboError('NUBO_EXHAUSTED', `no free ${what} found; try again or ask an admin`);
}
