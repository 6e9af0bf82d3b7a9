import { NuboError } from './errors.js';
import { formatIpv6, parseIpv6, parsePrefix64 } from './ipv6.js';
import { formatMac, parseMac } from './mac.js';

/**
 * EUI-64 (RFC 4291 appendix A): the interface id is the MAC with ff:fe put in
 * the middle and the universal/local bit (0x02 of the first byte) flipped.
 */
export function macToInterfaceId(mac: string): Uint8Array {
  const m = parseMac(mac);
  return Uint8Array.from([m[0]! ^ 0x02, m[1]!, m[2]!, 0xff, 0xfe, m[3]!, m[4]!, m[5]!]);
}

/** The SLAAC address a NIC with this MAC takes in a /64 (`fe80::/64` gives its link-local address). */
export function macToEui64(mac: string, prefix: string): string {
  const bytes = new Uint8Array(16);
  bytes.set(parsePrefix64(prefix), 0);
  bytes.set(macToInterfaceId(mac), 8);
  return formatIpv6(bytes);
}

export function macToLinkLocal(mac: string): string {
  return macToEui64(mac, 'fe80::/64');
}

/** True when the address's interface id has the ff:fe marker of an EUI-64 id. */
export function isEui64(address: string): boolean {
  const b = parseIpv6(address);
  return b[11] === 0xff && b[12] === 0xfe;
}

/** The MAC inside an EUI-64 address, or NUBO_NOT_EUI64. IPv4-mapped and random ids are refused. */
export function eui64ToMac(address: string): string {
  const b = parseIpv6(address);
  if (b[11] !== 0xff || b[12] !== 0xfe) {
    throw new NuboError('NUBO_NOT_EUI64', `${address} is not an EUI-64 address`, {
      details: [{ field: 'address', message: 'the interface id has no ff:fe marker' }],
    });
  }
  return formatMac(Uint8Array.from([b[8]! ^ 0x02, b[9]!, b[10]!, b[13]!, b[14]!, b[15]!]));
}
