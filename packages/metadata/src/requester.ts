import { BlockList, isIP } from 'node:net';
import { eui64ToMac, NuboError, normalizeIpv6 } from '@nubo/shared';

/** The header a trusted proxy (PodNet's per-router proxy) puts the guest's address in. */
export const FORWARDED_HEADER = 'x-forwarded-for';
/** The project of the router whose proxy forwarded the request (PodNet sets it). */
export const PROJECT_HEADER = 'x-nubo-project';

/** Which peers may tell us who the requester is. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    for (const entry of entries) this.add(entry);
    this.empty = entries.length === 0;
  }

  private readonly known = new Map<string, boolean>();

  /** Peers are few (the routers' proxies), so each answer is remembered. */
  has(address: string): boolean {
    if (this.empty) return false;
    let trusted = this.known.get(address);
    if (trusted === undefined) {
      trusted = this.check(address);
      if (this.known.size < 4096) this.known.set(address, trusted);
    }
    return trusted;
  }

  private check(address: string): boolean {
    const bare = stripMapped(address);
    const family = isIP(bare);
    if (family === 0) return false;
    return this.list.check(bare, family === 6 ? 'ipv6' : 'ipv4');
  }

  private add(entry: string): void {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || (bits !== undefined && !/^\d+$/.test(bits))) {
      throw new NuboError('NUBO_CONFIG', `trustedProxies: "${entry}" is not an address or CIDR block`, {
        details: [{ field: '/trustedProxies', message: `"${entry}" is not an address or CIDR block` }],
      });
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) this.list.addAddress(address, type);
    else this.list.addSubnet(address, Number(bits), type);
  }
}

/**
 * The guest's address: the peer's own, or, only when the peer is a trusted
 * proxy, the last X-Forwarded-For entry (the one that proxy added; anything to
 * its left came from the guest and is not believed).
 */
export function requesterAddress(
  peer: string,
  forwarded: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  if (forwarded === undefined || !trusted.has(peer)) return peer;
  const joined = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  const last = joined.slice(joined.lastIndexOf(',') + 1).trim();
  return last === '' ? peer : last;
}

export interface Requester {
  address: string;
  mac: string;
}

/** The MAC inside the requester's EUI-64 IPv6 address; anything else is NUBO_NOT_EUI64. */
export function identify(address: string): Requester {
  const bare = stripMapped(address.replace(/^\[|\]$/g, ''));
  if (isIP(bare.replace(/%.*$/, '')) !== 6) {
    throw new NuboError('NUBO_NOT_EUI64', `${bare || 'the requester'} is not an IPv6 EUI-64 address`, {
      details: [{ field: 'address', message: 'metadata is served to IPv6 EUI-64 (SLAAC) addresses only' }],
    });
  }
  const normalized = normalizeIpv6(bare);
  return { address: normalized, mac: eui64ToMac(normalized) };
}

/** `::ffff:192.0.2.1` → `192.0.2.1`: an IPv4 peer on a dual-stack socket. */
function stripMapped(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
