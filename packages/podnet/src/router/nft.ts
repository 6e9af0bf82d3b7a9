import type { FirewallRule, FloatingIp } from '@nubo/shared';
import { UPLINK_IF } from '../names.js';
import { ipv4Network, isIpv4 } from './addresses.js';
import type { NetworkDesired } from './desired.js';

export const TABLE = 'nubo';
export const METADATA_IPV4 = '169.254.169.254';
export const METADATA_IPV6 = 'fd00:ec2::254';

export interface RulesetInput {
  networks: NetworkDesired[];
  uplinkIpv4: string | undefined;
  floatingIps: FloatingIp[];
  firewallRules: FirewallRule[];
  proxyPort: number;
  vpn: boolean;
}

/**
 * The router's whole nftables table, as one `nft -f` file that replaces the
 * old table atomically (create-if-missing, delete, define): packets never see
 * a half-applied ruleset. Only validated values reach this text.
 */
export function renderRuleset(input: RulesetInput): string {
  const up = `"${UPLINK_IF}"`;
  return [
    `table inet ${TABLE} {}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    ...input.networks.map(guestSet),
    chain(
      'guard',
      'type filter hook prerouting priority mangle; policy accept;',
      input.networks.flatMap(guard),
    ),
    chain('nat_pre', 'type nat hook prerouting priority dstnat; policy accept;', [
      `iifname != ${up} ip daddr ${METADATA_IPV4} tcp dport 80 redirect to :${input.proxyPort}`,
      `iifname != ${up} ip6 daddr ${METADATA_IPV6} tcp dport 80 redirect to :${input.proxyPort}`,
      ...input.floatingIps.map((f) => `iifname ${up} ip daddr ${f.publicIpv4} dnat ip to ${f.privateIpv4}`),
    ]),
    chain('nat_post', 'type nat hook postrouting priority srcnat; policy accept;', snat(input)),
    chain('input', 'type filter hook input priority filter; policy accept;', [
      `iifname ${up} ct state established,related accept`,
      `iifname ${up} meta l4proto { icmp, ipv6-icmp } accept`,
      ...(input.vpn
        ? [`iifname ${up} udp dport { 500, 4500 } accept`, `iifname ${up} meta l4proto esp accept`]
        : []),
      `iifname ${up} drop`,
    ]),
    chain('forward', 'type filter hook forward priority filter; policy accept;', [
      'ct state established,related accept',
      'ct state invalid drop',
      `iifname ${up} jump inbound`,
      `oifname ${up} jump outbound`,
    ]),
    chain('inbound', '', [
      ...(input.vpn ? ['meta ipsec exists accept'] : []),
      ...rulesOf(input.firewallRules, 'inbound').map((r) => `${r} accept`),
      'drop',
    ]),
    chain(
      'outbound',
      '',
      rulesOf(input.firewallRules, 'outbound').map((r) => `${r} drop`),
    ),
    '}',
    '',
  ].join('\n');
}

function chain(name: string, head: string, rules: string[]): string {
  return [`  chain ${name} {`, ...(head ? [`    ${head}`] : []), ...rules.map((r) => `    ${r}`), '  }'].join(
    '\n',
  );
}

/** The (MAC, address) pairs guests of a network may send from. */
function guestSet(n: NetworkDesired): string {
  const elements = n.guests.flatMap((g) => g.ipv6.map((a) => `${g.mac} . ${a}`));
  const body = elements.length > 0 ? ` elements = { ${elements.join(', ')} }` : '';
  return `  set guests${n.segment} { type ether_addr . ipv6_addr;${body} }`;
}

/** Anti-spoofing: from a network's bridge, only its guests' own MAC-derived addresses (and `::` for DAD). */
function guard(n: NetworkDesired): string[] {
  const br = `iifname "${n.bridge}"`;
  const v4 = n.ipv4Cidr
    ? `${br} ip saddr != ${ipv4Network(n.ipv4Cidr)} drop`
    : `${br} meta nfproto ipv4 drop`;
  return [`${br} ip6 saddr != :: ether saddr . ip6 saddr != @guests${n.segment} drop`, v4];
}

/** 1:1 NAT first, then the private ranges behind the router's own public IPv4 address. */
function snat(input: RulesetInput): string[] {
  const up = `"${UPLINK_IF}"`;
  const cidrs = input.networks.flatMap((n) => (n.ipv4Cidr ? [ipv4Network(n.ipv4Cidr)] : []));
  return [
    ...input.floatingIps.map((f) => `oifname ${up} ip saddr ${f.privateIpv4} snat ip to ${f.publicIpv4}`),
    ...(input.uplinkIpv4 && cidrs.length > 0
      ? [`oifname ${up} ip saddr { ${cidrs.join(', ')} } snat ip to ${input.uplinkIpv4}`]
      : []),
  ];
}

/** Each rule as an nft match; a rule whose remote and local are of different families matches nothing. */
function rulesOf(rules: FirewallRule[], direction: FirewallRule['direction']): string[] {
  return rules.filter((r) => r.direction === direction).flatMap((r) => match(r) ?? []);
}

function match(r: FirewallRule): string | undefined {
  const family = isIpv4(r.remote) ? 'ip' : 'ip6';
  if (r.local && isIpv4(r.local) !== (family === 'ip')) return undefined;
  const remote = `${family} ${r.direction === 'inbound' ? 'saddr' : 'daddr'} ${r.remote}`;
  const local = r.local ? ` ${family} ${r.direction === 'inbound' ? 'daddr' : 'saddr'} ${r.local}` : '';
  return `${remote}${local}${protocolMatch(r, family)}`;
}

function protocolMatch(r: FirewallRule, family: 'ip' | 'ip6'): string {
  if (r.protocol === 'any') return family === 'ip' ? ' meta nfproto ipv4' : ' meta nfproto ipv6';
  if (r.protocol === 'icmp') return family === 'ip' ? ' meta l4proto icmp' : ' meta l4proto ipv6-icmp';
  return r.port ? ` ${r.protocol} dport ${r.port}` : ` meta l4proto ${r.protocol}`;
}
