import { randomBytes } from 'node:crypto';
import { fieldError } from './errors.js';

const MAC_PATTERN = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** Parses `52:54:00:12:34:56` (or with dashes, or bare hex) into six bytes. */
export function parseMac(mac: string, field = 'mac'): Uint8Array {
  if (!MAC_PATTERN.test(mac)) throw fieldError('NUBO_BAD_MAC', field, `"${mac}" is not a MAC address`);
  // Six pairs of hex digits, every 2 (bare) or 3 (separated) characters.
  const step = mac.length === 12 ? 2 : 3;
  const bytes = new Uint8Array(6);
  for (let i = 0; i < 6; i++) bytes[i] = Number.parseInt(mac.slice(i * step, i * step + 2), 16);
  return bytes;
}

/** Two lower-case hex digits for each byte value. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The canonical form: lower case, colon separated. */
export function formatMac(bytes: Uint8Array): string {
  let out = HEX[bytes[0]!]!;
  for (let i = 1; i < bytes.length; i++) out += `:${HEX[bytes[i]!]}`;
  return out;
}

export function normalizeMac(mac: string, field = 'mac'): string {
  return formatMac(parseMac(mac, field));
}

/**
 * A random MAC under a 3-byte prefix. The default prefix is QEMU/KVM's 52:54:00,
 * which is locally administered so it never collides with a real NIC's.
 */
export function randomMac(prefix = DEFAULT_MAC_PREFIX): string {
  const head = parseMacPrefix(prefix);
  const tail = randomBytes(3);
  return `${head}:${HEX[tail[0]!]}:${HEX[tail[1]!]}:${HEX[tail[2]!]}`;
}

export const DEFAULT_MAC_PREFIX = '52:54:00';

/** The prefix in canonical form (lower case), checked: three bytes, not multicast. */
function parseMacPrefix(prefix: string): string {
  if (!/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/i.test(prefix)) {
    throw fieldError('NUBO_BAD_MAC', 'macPrefix', `"${prefix}" is not a 3-byte MAC prefix`);
  }
  if ((Number.parseInt(prefix.slice(0, 2), 16) & 1) === 1)
    throw fieldError('NUBO_BAD_MAC', 'macPrefix', 'a multicast prefix cannot name a NIC');
  return prefix.toLowerCase();
}
