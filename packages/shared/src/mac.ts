import { randomBytes } from 'node:crypto';
import { fieldError } from './errors.js';

const MAC_PATTERN = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** Parses `52:54:00:12:34:56` (or with dashes, or bare hex) into six bytes. */
export function parseMac(mac: string, field = 'mac'): Uint8Array {
  if (!MAC_PATTERN.test(mac)) throw fieldError('NUBO_BAD_MAC', field, `"${mac}" is not a MAC address`);
  return Uint8Array.from(Buffer.from(mac.replace(/[:-]/g, ''), 'hex'));
}

/** The canonical form: lower case, colon separated. */
export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
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
  return formatMac(Uint8Array.from([...head, ...randomBytes(3)]));
}

export const DEFAULT_MAC_PREFIX = '52:54:00';

function parseMacPrefix(prefix: string): Uint8Array {
  if (!/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/i.test(prefix)) {
    throw fieldError('NUBO_BAD_MAC', 'macPrefix', `"${prefix}" is not a 3-byte MAC prefix`);
  }
  const bytes = Uint8Array.from(Buffer.from(prefix.replace(/:/g, ''), 'hex'));
  if ((bytes[0]! & 1) === 1)
    throw fieldError('NUBO_BAD_MAC', 'macPrefix', 'a multicast prefix cannot name a NIC');
  return bytes;
}
