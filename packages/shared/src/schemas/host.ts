import { type Static, Type } from '@sinclair/typebox';
import { HostName, Hypervisor, Id, Resources, Timestamp } from './common.js';

export const Host = Type.Object(
  {
    name: HostName,
    hypervisor: Hypervisor,
    capacity: Resources,
    /** An admin turns this off to drain a host: nothing new is placed there. */
    enabled: Type.Boolean(),
    address: Type.Optional(Type.String({ maxLength: 255 })),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type Host = Static<typeof Host>;

/** Under a lease: present while the host daemon is alive. */
export const HostLiveness = Type.Object(
  { name: HostName, pid: Type.Integer(), startedAt: Timestamp, version: Type.String() },
  { additionalProperties: false },
);
export type HostLiveness = Static<typeof HostLiveness>;

/**
 * What the scheduler has reserved on a host. A placement compares this key's
 * mod_revision, so two schedulers with stale views cannot over-commit a host.
 */
export const Allocation = Type.Object(
  {
    host: HostName,
    used: Resources,
    vms: Type.Record(Type.String({ format: 'uuid' }), Resources),
  },
  { additionalProperties: false },
);
export type Allocation = Static<typeof Allocation>;

export const HostId = Id;
