import { type Static, Type } from '@sinclair/typebox';
import { HostName, Id, Timestamp } from './common.js';
import { Vm } from './vm.js';

export const SchedulerRequestKind = Type.Union([
  Type.Literal('place'),
  Type.Literal('resize'),
  Type.Literal('migrate'),
  Type.Literal('evacuate'),
]);
export type SchedulerRequestKind = Static<typeof SchedulerRequestKind>;

/** Under `requests/scheduler/<id>`: work for the scheduler leader. */
export const SchedulerRequest = Type.Object(
  {
    id: Id,
    kind: SchedulerRequestKind,
    vmId: Id,
    targetHost: Type.Optional(HostName),
    createdAt: Timestamp,
    /**
     * `place` from a create: the VM as the same transaction wrote it, so the
     * scheduler places it without reading it first. Its commit compares the
     * VM at the request's own revision: a VM changed since fails that compare
     * and is read again.
     */
    vm: Type.Optional(Vm),
  },
  { additionalProperties: false },
);
export type SchedulerRequest = Static<typeof SchedulerRequest>;

export const HostRequestKind = Type.Union([
  Type.Literal('build'),
  Type.Literal('start'),
  Type.Literal('stop'),
  Type.Literal('restart'),
  Type.Literal('resize'),
  Type.Literal('quiesce_for_scrub'),
  Type.Literal('scrub'),
  Type.Literal('migrate_in'),
  Type.Literal('migrate_out'),
]);
export type HostRequestKind = Static<typeof HostRequestKind>;

/** Under `requests/hosts/<host>/<id>`: work for one host daemon, claimed once in a transaction. */
export const HostRequest = Type.Object(
  {
    id: Id,
    kind: HostRequestKind,
    vmId: Id,
    /** For migrations: the other side. */
    peerHost: Type.Optional(HostName),
    createdAt: Timestamp,
    claimedAt: Type.Optional(Timestamp),
    claimedBy: Type.Optional(Type.String({ maxLength: 255 })),
    /**
     * What the VM's domain spec reads (its image and networks), named by the
     * scheduler so the host's claim reads them in its own transaction instead
     * of a second round-trip. A hint only: the host checks it against the VM.
     */
    specReads: Type.Optional(
      Type.Object(
        { imageId: Id, networkIds: Type.Array(Id, { maxItems: 8 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type HostRequest = Static<typeof HostRequest>;
