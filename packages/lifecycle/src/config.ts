import { type Static, Type } from '@nubo/shared';

/** The lifecycle daemon's settings; env names are NUBO_ + upper snake case (`scrubIntervalSeconds` → NUBO_SCRUB_INTERVAL_SECONDS). */
export const LifecycleConfig = Type.Object(
  {
    etcdEndpoints: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      default: ['http://127.0.0.1:2379'],
    }),
    etcdPrefix: Type.String({ minLength: 1, default: '/nubo/' }),
    region: Type.String({ minLength: 1, maxLength: 63, default: 'local' }),
    /** How often the scrub loop runs (Robot: once a day). */
    scrubIntervalSeconds: Type.Integer({ minimum: 1, default: 86_400 }),
    /** Events older than this are pruned. */
    eventRetentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
    pruneIntervalSeconds: Type.Integer({ minimum: 1, default: 3_600 }),
    /** No SMTP host: notifications are not sent (they are dropped from the outbox, and logged). */
    smtpHost: Type.String({ default: '' }),
    smtpPort: Type.Integer({ minimum: 1, maximum: 65_535, default: 25 }),
    /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
    smtpSecure: Type.Boolean({ default: false }),
    smtpUser: Type.String({ default: '' }),
    /** Secret: used only to log in to the SMTP server; never logged, never in a mail. */
    smtpPassword: Type.String({ default: '' }),
    mailFrom: Type.String({ minLength: 3, default: 'nubo@localhost' }),
    /** A directory of `<template>.txt` files that replace the built-in e-mail templates. */
    templatesDir: Type.String({ default: '' }),
    /** How often failed notifications are tried again. */
    notifyRetrySeconds: Type.Integer({ minimum: 1, default: 60 }),
  },
  { additionalProperties: false },
);
export type LifecycleConfig = Static<typeof LifecycleConfig>;
