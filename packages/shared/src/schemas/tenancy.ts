import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Timestamp } from './common.js';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('member')]);
export type Role = Static<typeof Role>;

export const User = Type.Object(
  {
    id: Id,
    name: Name,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    role: Role,
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type User = Static<typeof User>;

/** An API token; only the SHA-256 of the secret is stored (the key is that hash). */
export const Token = Type.Object(
  {
    id: Id,
    userId: Id,
    hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    createdAt: Timestamp,
    expiresAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type Token = Static<typeof Token>;

export const Quota = Type.Object(
  {
    vms: Type.Integer({ minimum: 0 }),
    cpus: Type.Integer({ minimum: 0 }),
    ramMiB: Type.Integer({ minimum: 0 }),
    diskGiB: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type Quota = Static<typeof Quota>;

export const DEFAULT_QUOTA: Quota = { vms: 20, cpus: 64, ramMiB: 128 * 1024, diskGiB: 2048 };
export const DEFAULT_GRACE_DAYS = 7;

export const Project = Type.Object(
  {
    id: Id,
    name: Name,
    ownerId: Id,
    members: Type.Array(Id, { uniqueItems: true }),
    quota: Quota,
    graceDays: Type.Integer({ minimum: 0, maximum: 365 }),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type Project = Static<typeof Project>;

/** What a project uses now, kept in one key so a quota check and a create are one transaction. */
export const QuotaUsage = Quota;
export type QuotaUsage = Quota;
