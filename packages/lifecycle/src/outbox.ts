import { Id, type Static, Timestamp, Type } from '@nubo/shared';
import { TEMPLATES } from './derived.js';

/**
 * Under `notifications/<revision>-<resource>-<template>`: an e-mail to send,
 * written in the same transaction as the event it comes from, deleted once
 * the SMTP server has accepted it (so a crash in between sends it again:
 * at-least-once, with a stable Message-ID a mail system can de-duplicate on).
 */
export const Notification = Type.Object(
  {
    id: Type.String({ maxLength: 200 }),
    projectId: Id,
    template: Type.Union(TEMPLATES.map((t) => Type.Literal(t))),
    vars: Type.Record(Type.String(), Type.String({ maxLength: 4096 })),
    createdAt: Timestamp,
    revision: Type.Integer({ minimum: 1 }),
    attempts: Type.Integer({ minimum: 0 }),
    lastError: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type Notification = Static<typeof Notification>;

/** Where the watcher got to: every change up to `revision` has been derived. */
export const Cursor = Type.Object(
  { revision: Type.Integer({ minimum: 0 }), updatedAt: Timestamp },
  { additionalProperties: false },
);
export type Cursor = Static<typeof Cursor>;
