import { type Static, Type } from '@sinclair/typebox';
import { HostName, Hypervisor, Ipv4Cidr, Name, SizeInput } from './common.js';
import { ImageFormat } from './resources.js';
import { Role } from './tenancy.js';

/**
 * What users send to the API, one schema per write route. Sizes arrive as text
 * (`2GiB`) or MiB and are parsed with `parseSize`; unknown fields are refused.
 */
const closed = { additionalProperties: false } as const;

/** `POST /v1/users` (admin) */
export const UserCreateInput = Type.Object(
  {
    name: Name,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    role: Type.Optional(Role),
  },
  closed,
);
export type UserCreateInput = Static<typeof UserCreateInput>;

export const QuotaInput = Type.Object(
  {
    vms: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    cpus: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    ram: Type.Optional(SizeInput),
    disk: Type.Optional(SizeInput),
  },
  closed,
);
export type QuotaInput = Static<typeof QuotaInput>;

/** `POST /v1/projects` */
export const ProjectCreateInput = Type.Object(
  { name: Name, graceDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })) },
  closed,
);
export type ProjectCreateInput = Static<typeof ProjectCreateInput>;

/** `POST /v1/projects/:p/members` */
export const MemberInput = Type.Object({ user: Type.String({ minLength: 1, maxLength: 64 }) }, closed);
export type MemberInput = Static<typeof MemberInput>;

/** `POST /v1/projects/:p/ssh-keys` */
export const SshKeyCreateInput = Type.Object(
  { name: Name, publicKey: Type.String({ minLength: 16, maxLength: 16384 }) },
  closed,
);
export type SshKeyCreateInput = Static<typeof SshKeyCreateInput>;

/** `POST /v1/projects/:p/networks` */
export const NetworkCreateInput = Type.Object({ name: Name, ipv4Cidr: Type.Optional(Ipv4Cidr) }, closed);
export type NetworkCreateInput = Static<typeof NetworkCreateInput>;

/** `POST /v1/projects/:p/images`: from a file already uploaded to the file store, or from a URL. */
export const ImageCreateInput = Type.Object(
  {
    name: Name,
    format: ImageFormat,
    file: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' })),
    url: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 1024 })),
    hypervisors: Type.Optional(Type.Array(Hypervisor, { minItems: 1, uniqueItems: true })),
  },
  closed,
);
export type ImageCreateInput = Static<typeof ImageCreateInput>;

/** `POST /v1/hosts` (admin) */
export const HostCreateInput = Type.Object(
  {
    name: HostName,
    hypervisor: Hypervisor,
    cpus: Type.Integer({ minimum: 1, maximum: 4096 }),
    ram: SizeInput,
    disk: SizeInput,
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  closed,
);
export type HostCreateInput = Static<typeof HostCreateInput>;

/** `POST .../vms/:id/resize` */
export const VmResizeInput = Type.Object(
  {
    cpus: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
    ram: Type.Optional(SizeInput),
    disk: Type.Optional(SizeInput),
  },
  { ...closed, minProperties: 1 },
);
export type VmResizeInput = Static<typeof VmResizeInput>;

/** `POST .../vms/:id/migrate` (admin) */
export const VmMigrateInput = Type.Object({ host: HostName }, closed);
export type VmMigrateInput = Static<typeof VmMigrateInput>;
