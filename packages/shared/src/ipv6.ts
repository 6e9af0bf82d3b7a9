import { isIPv6 } from 'node:net';
import { fieldError } from './errors.js';

/** Parses an IPv6 address (any textual form, an optional `%zone` dropped) into 16 bytes. */
export function parseIpv6(address: string, field = 'address'): Uint8Array {
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) throw fieldError('NUBO_BAD_IPV6', field, `"${address}" is not an IPv6 address`);
  const [head = '', tail = ''] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const toGroups = (part: string): number[] => (part === '' ? [] : expandGroups(part));
  const left = toGroups(head);
  const right = bare.includes('::') ? toGroups(tail) : [];
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** Hex groups, with an embedded dotted IPv4 tail turned into two groups. */
function expandGroups(part: string): number[] {
  return part.split(':').flatMap((g) => {
    if (!g.includes('.')) return [Number.parseInt(g, 16)];
    const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
}

/** The canonical RFC 5952 text: lower case, longest zero run compressed. */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!);
  const run = longestZeroRun(groups);
  if (run.length < 2) return hexGroups(groups, 0, 8);
  return `${hexGroups(groups, 0, run.start)}::${hexGroups(groups, run.start + run.length, 8)}`;
}

function hexGroups(groups: number[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += i === from ? groups[i]!.toString(16) : `:${groups[i]!.toString(16)}`;
  return out;
}

function longestZeroRun(groups: number[]): { start: number; length: number } {
  let best = { start: -1, length: 0 };
  let start = -1;
  for (let i = 0; i < groups.length; i++) {
    if (groups[i] !== 0) {
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (i - start + 1 > best.length) best = { start, length: i - start + 1 };
  }
  return best;
}

export function normalizeIpv6(address: string, field = 'address'): string {
  return formatIpv6(parseIpv6(address, field));
}

/** Parses `2001:db8:1:2::/64` into its 8 network bytes; only /64 prefixes hold EUI-64 hosts. */
export function parsePrefix64(prefix: string, field = 'prefix'): Uint8Array {
  const match = /^([^/]+)\/64$/.exec(prefix.trim());
  if (!match) throw fieldError('NUBO_BAD_IPV6', field, `"${prefix}" is not an IPv6 /64 prefix`);
  const bytes = parseIpv6(match[1]!, field);
  if (bytes.subarray(8).some((b) => b !== 0)) {
    throw fieldError('NUBO_BAD_IPV6', field, `"${prefix}" has host bits set`);
  }
  return bytes.subarray(0, 8);
}
