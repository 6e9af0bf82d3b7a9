import { type Static, Type } from '@sinclair/typebox';
import { Hypervisor, Id, Ipv4Cidr, Ipv6Prefix64, Name, Timestamp } from './common.js';

export const SshKey = Type.Object(
  {
    id: Id,
    projectId: Id,
    name: Name,
    type: Type.String({ maxLength: 64 }),
    publicKey: Type.String({ minLength: 16, maxLength: 16384 }),
    fingerprint: Type.String({ pattern: '^SHA256:[A-Za-z0-9+/]{43}$' }),
    createdAt: Timestamp,
    /** A deleted key may wait in the scrub queue like a VM (absent means `active`). */
    state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('scrub_queue')])),
    deletedAt: Type.Optional(Timestamp),
    scrubAfter: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type SshKey = Static<typeof SshKey>;

export const NetworkState = Type.Union([Type.Literal('active'), Type.Literal('scrub_queue')]);

export const Network = Type.Object(
  {
    id: Id,
    projectId: Id,
    name: Name,
    ipv6Prefix: Ipv6Prefix64,
    ipv4Cidr: Type.Optional(Ipv4Cidr),
    /** VLAN id or VXLAN VNI that carries the network between hosts and the router. */
    segment: Type.Integer({ minimum: 1, maximum: 16_777_215 }),
    state: NetworkState,
    createdAt: Timestamp,
    /** Set by a delete: when it entered the scrub queue and when the scrub loop may remove it. */
    deletedAt: Type.Optional(Timestamp),
    scrubAfter: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type Network = Static<typeof Network>;

export const ImageFormat = Type.Union([Type.Literal('qcow2'), Type.Literal('raw')]);
export type ImageFormat = Static<typeof ImageFormat>;
export const ImageState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('importing'),
  Type.Literal('ready'),
  Type.Literal('failed'),
]);
export type ImageState = Static<typeof ImageState>;

export const Image = Type.Object(
  {
    id: Id,
    /** Absent for a public image every project may use. */
    projectId: Type.Optional(Id),
    name: Name,
    format: ImageFormat,
    /** Where the bytes come from: a path under the region's file store. */
    source: Type.String({ minLength: 1, maxLength: 1024 }),
    sizeBytes: Type.Integer({ minimum: 0 }),
    sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    hypervisors: Type.Array(Hypervisor, { minItems: 1, uniqueItems: true }),
    state: ImageState,
    reason: Type.Optional(Type.String({ maxLength: 1024 })),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type Image = Static<typeof Image>;
