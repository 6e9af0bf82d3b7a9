import { formatIpv6, parsePrefix64 } from '@nubo/shared';

/** The router's gateway address on a /64: `<prefix>::1/64`. */
export function gatewayIpv6(prefix64: string): string {
  const bytes = new Uint8Array(16);
  bytes.set(parsePrefix64(prefix64), 0);
  bytes[15] = 1;
  return `${formatIpv6(bytes)}/64`;
}

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The router's gateway on an IPv4 network: its first host address, with the prefix length (`10.0.0.1/24`). */
export function gatewayIpv4(cidr: string): string {
  const [network = '', length = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(length));
  const base = ipv4ToInt(network) - (ipv4ToInt(network) % size);
  return `${intToIpv4(base + 1)}/${length}`;
}

/** The network address of a CIDR (`10.0.0.7/24` → `10.0.0.0/24`), as nft prints it. */
export function ipv4Network(cidr: string): string {
  const [network = '', length = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(length));
  return `${intToIpv4(ipv4ToInt(network) - (ipv4ToInt(network) % size))}/${length}`;
}

export const isIpv4 = (text: string): boolean => /^[0-9.]+(\/\d+)?$/.test(text);
