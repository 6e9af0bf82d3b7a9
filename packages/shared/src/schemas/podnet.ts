import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Timestamp } from './common.js';

/** An IPv4 address with its prefix length on a link, such as `203.0.113.10/24`. */
export const Ipv4Interface = Type.String({
  pattern: '^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}/([8-9]|[12]\\d|3[0-2])$',
  description: 'an IPv4 address with its prefix length, such as 203.0.113.10/24',
});

export const Ipv4Address = Type.String({
  pattern: '^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}$',
  description: 'an IPv4 address',
});

/** An IPv6 address with its prefix length on a link, such as `2001:db8:ff::10/64`. */
export const Ipv6Interface = Type.String({
  pattern: '^[0-9a-fA-F:]+/(\\d|[1-9]\\d|1[01]\\d|12[0-8])$',
  description: 'an IPv6 address with its prefix length',
});

export const Ipv6Address = Type.String({ pattern: '^[0-9a-fA-F:]+$', maxLength: 39 });

/** Either family, with an optional prefix length: what a firewall rule or traffic selector names. */
export const AnyCidr = Type.String({
  pattern: '^([0-9.]+(/\\d{1,2})?|[0-9a-fA-F:]+(/\\d{1,3})?)$',
  maxLength: 43,
  description: 'an IPv4 or IPv6 address or network, such as 198.51.100.0/24 or 2001:db8::/48',
});

/**
 * Under `routers/<project>`: the project's virtual router on PodNet, i.e. its
 * public side. The private side comes from the project's networks.
 */
export const RouterConfig = Type.Object(
  {
    projectId: Id,
    /** The router's address on the region's public network, and the upstream gateway. */
    uplinkIpv6: Ipv6Interface,
    gatewayIpv6: Type.Optional(Ipv6Address),
    uplinkIpv4: Type.Optional(Ipv4Interface),
    gatewayIpv4: Type.Optional(Ipv4Address),
    /** DNS servers announced to guests in router advertisements (RDNSS). */
    dns: Type.Array(Ipv6Address, { maxItems: 3, default: [] }),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type RouterConfig = Static<typeof RouterConfig>;

export const FirewallDirection = Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]);
export const FirewallProtocol = Type.Union([
  Type.Literal('tcp'),
  Type.Literal('udp'),
  Type.Literal('icmp'),
  Type.Literal('any'),
]);

/**
 * Under `firewall-rules/<project>/<id>`. Inbound rules form an allow-list
 * (new connections from outside reach the project only where a rule allows);
 * outbound rules form a block-list (guests reach everything but what a rule blocks).
 */
export const FirewallRule = Type.Object(
  {
    id: Id,
    projectId: Id,
    direction: FirewallDirection,
    protocol: FirewallProtocol,
    /** For tcp/udp: one port or a range `from-to`; absent means every port. */
    port: Type.Optional(Type.String({ pattern: '^\\d{1,5}(-\\d{1,5})?$' })),
    /** Inbound: where traffic may come from; outbound: where it may not go. */
    remote: AnyCidr,
    /** Inbound only: the guest address the rule opens (absent: every guest). */
    local: Type.Optional(AnyCidr),
    description: Type.Optional(Type.String({ maxLength: 255 })),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type FirewallRule = Static<typeof FirewallRule>;

/** Under `floating-ips/<project>/<id>`: a public IPv4 address mapped 1:1 to a guest's private one. */
export const FloatingIp = Type.Object(
  {
    id: Id,
    projectId: Id,
    publicIpv4: Ipv4Address,
    privateIpv4: Ipv4Address,
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type FloatingIp = Static<typeof FloatingIp>;

/**
 * Under `vpn-tunnels/<project>/<id>`: a site-to-site IPsec tunnel (IKEv2, PSK).
 * `psk` is a secret: PodNet writes it only into the tunnel's 0600 swanctl file,
 * never into logs or command lines; the API never returns it.
 */
export const VpnTunnel = Type.Object(
  {
    id: Id,
    projectId: Id,
    name: Name,
    /** The peer's public address (its IKE endpoint). */
    remoteAddress: Type.String({
      pattern: '^[A-Za-z0-9.:-]{2,255}$',
      description: 'an IP address or DNS name',
    }),
    /** Local traffic selectors: the project's networks' prefixes (or any CIDR of the project). */
    localCidrs: Type.Array(AnyCidr, { minItems: 1, maxItems: 16 }),
    remoteCidrs: Type.Array(AnyCidr, { minItems: 1, maxItems: 16 }),
    psk: Type.String({ minLength: 16, maxLength: 256, pattern: '^[\\x21-\\x7e]+$' }),
    ikeProposals: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]+(,[a-z0-9_-]+)*$', maxLength: 255 })),
    espProposals: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]+(,[a-z0-9_-]+)*$', maxLength: 255 })),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type VpnTunnel = Static<typeof VpnTunnel>;
