import { type Static, Type } from '@sinclair/typebox';

/** A resource id: a lower-case UUID. */
export const Id = Type.String({ format: 'uuid', description: 'UUID' });

/** A user-chosen name: DNS-label-like, so it can become a hostname. */
export const Name = Type.String({
  pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
  description: 'lower-case letters, digits and dashes; 1-63 characters',
});

/** A host name as the host daemon registers it. */
export const HostName = Type.String({ pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$' });

export const Timestamp = Type.String({ format: 'date-time' });

export const Mac = Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$', description: 'lower-case MAC' });

export const Ipv6Prefix64 = Type.String({ pattern: '^[0-9a-f:]+/64$', description: 'an IPv6 /64 prefix' });

export const Ipv4Cidr = Type.String({
  pattern: '^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}/([8-9]|[12]\\d|30)$',
  description: 'an IPv4 network such as 10.0.0.0/24',
});

/** A size as users write it (`2GiB`, `512MiB`, `10G`) or a plain number in MiB. */
export const SizeInput = Type.Union([
  Type.String({ minLength: 1, maxLength: 32 }),
  Type.Integer({ minimum: 1 }),
]);

export const Hypervisor = Type.Union([Type.Literal('libvirt'), Type.Literal('hyperv'), Type.Literal('fake')]);
export type Hypervisor = Static<typeof Hypervisor>;

/** The resources a VM holds or a host offers. */
export const Resources = Type.Object(
  {
    cpus: Type.Integer({ minimum: 0 }),
    ramMiB: Type.Integer({ minimum: 0 }),
    diskGiB: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type Resources = Static<typeof Resources>;
