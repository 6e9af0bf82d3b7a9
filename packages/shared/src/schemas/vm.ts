import { type Static, Type } from '@sinclair/typebox';
import { VM_STATES } from '../state-machine.js';
import { HostName, Id, Mac, Name, SizeInput, Timestamp } from './common.js';

export const VmStateSchema = Type.Union(VM_STATES.map((s) => Type.Literal(s)));

export const MAX_USER_DATA_BYTES = 16 * 1024;

/** One NIC of a VM: its MAC fixes its EUI-64 address on the network's /64. */
export const VmNic = Type.Object(
  { networkId: Id, mac: Mac, ipv6: Type.String({ maxLength: 39 }) },
  { additionalProperties: false },
);
export type VmNic = Static<typeof VmNic>;

/** The longest `reason` a VM record holds. */
export const VM_REASON_MAX = 2048;

/**
 * A reason that fits the VM record: a driver's error output can be longer,
 * and a record over the limit would not validate anywhere it is read. The
 * start is kept (it says what failed), the end marked as cut.
 */
export function vmReason(text: string): string {
  return text.length <= VM_REASON_MAX ? text : `${text.slice(0, VM_REASON_MAX - 1)}…`;
}

export const Vm = Type.Object(
  {
    id: Id,
    projectId: Id,
    name: Name,
    cpus: Type.Integer({ minimum: 1, maximum: 256 }),
    ramMiB: Type.Integer({ minimum: 64, maximum: 4 * 1024 * 1024 }),
    diskGiB: Type.Integer({ minimum: 1, maximum: 65536 }),
    imageId: Id,
    nics: Type.Array(VmNic, { maxItems: 8 }),
    sshKeyIds: Type.Array(Id, { maxItems: 64, uniqueItems: true }),
    userData: Type.Optional(Type.String({ maxLength: MAX_USER_DATA_BYTES })),
    state: VmStateSchema,
    /** Why the VM is in its state, in words (set for `unresourced`, failures, scrub); see `vmReason`. */
    reason: Type.Optional(Type.String({ maxLength: VM_REASON_MAX })),
    /** The host the VM is assigned to, once placed. */
    host: Type.Optional(HostName),
    /** For a migration: where it goes. */
    targetHost: Type.Optional(HostName),
    /** For a resize: the resources the VM will have. */
    pending: Type.Optional(
      Type.Object(
        {
          cpus: Type.Integer({ minimum: 1, maximum: 256 }),
          ramMiB: Type.Integer({ minimum: 64 }),
          diskGiB: Type.Integer({ minimum: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** The stable state to go back to after `updating` or `migrating`. */
    resumeState: Type.Optional(Type.Union([Type.Literal('running'), Type.Literal('quiesced')])),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    /** When the VM entered the scrub queue, and when it may be scrubbed. */
    deletedAt: Type.Optional(Timestamp),
    scrubAfter: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type Vm = Static<typeof Vm>;

/** `POST /v1/projects/:p/vms` */
export const VmCreateInput = Type.Object(
  {
    name: Name,
    cpus: Type.Integer({ minimum: 1, maximum: 256 }),
    ram: SizeInput,
    disk: SizeInput,
    image: Type.String({ minLength: 1, maxLength: 64, description: 'image id or name' }),
    networks: Type.Optional(Type.Array(Id, { maxItems: 8, uniqueItems: true })),
    sshKeys: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64, uniqueItems: true }),
    ),
    userData: Type.Optional(Type.String({ maxLength: MAX_USER_DATA_BYTES })),
  },
  { additionalProperties: false },
);
export type VmCreateInput = Static<typeof VmCreateInput>;
