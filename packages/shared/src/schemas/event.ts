import { type Static, Type } from '@sinclair/typebox';
import { Id, Timestamp } from './common.js';

export const EventResourceType = Type.Union([
  Type.Literal('vm'),
  Type.Literal('network'),
  Type.Literal('ssh-key'),
  Type.Literal('vpn-tunnel'),
  Type.Literal('floating-ip'),
]);
export type EventResourceType = Static<typeof EventResourceType>;

/**
 * Under `events/<project>/<revision, 12 digits>-<resource id>`: one change of
 * one resource, derived by the lifecycle daemon from the etcd revision that
 * made it (so the key sorts in the order things happened). See docs/lifecycle.md.
 */
export const Event = Type.Object(
  {
    id: Type.String({ maxLength: 64 }),
    projectId: Id,
    resourceType: EventResourceType,
    resourceId: Id,
    resourceName: Type.Optional(Type.String({ maxLength: 255 })),
    /** When: the resource's own `updatedAt` (or creation time), written by whoever changed it. */
    time: Timestamp,
    revision: Type.Integer({ minimum: 1 }),
    /** Who: `api` (a user's request), `scheduler`, `host:<name>`, `lifecycle`. */
    actor: Type.String({ maxLength: 300 }),
    /** What: `vm.created`, `vm.state`, `vm.resized`, `vm.failed`, `network.deleted`, ... */
    action: Type.String({ maxLength: 64 }),
    fromState: Type.Optional(Type.String({ maxLength: 64 })),
    toState: Type.Optional(Type.String({ maxLength: 64 })),
    /** Why, in words, when the record said (e.g. `vm.reason`). */
    reason: Type.Optional(Type.String({ maxLength: 2048 })),
    message: Type.String({ maxLength: 4096 }),
  },
  { additionalProperties: false },
);
export type Event = Static<typeof Event>;
