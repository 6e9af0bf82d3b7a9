import { type Entry, isStoreFault, type Keys, type Logger, type Store } from '@nubo/shared';
import type { Transporter } from 'nodemailer';
import { Notification } from '../outbox.js';
import { projectRecipient } from './recipients.js';
import { render, type Templates } from './templates.js';

export interface NotifierDeps {
  store: Store;
  keys: Keys;
  logger: Logger;
  transport: Transporter;
  from: string;
  templates: Templates;
  region: string;
  /** After this many failed sends a notification is dropped (and logged). */
  maxAttempts?: number;
}

/**
 * Sends the e-mail outbox (`notifications/`). A notification is deleted once
 * the SMTP server accepted it; a failure is counted on the record and tried
 * again on the next pass. One pass at a time.
 */
export class Notifier {
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: NotifierDeps) {}

  /** Runs a pass after the current one; resolves when it is done. */
  kick(): Promise<void> {
    this.running = this.running
      .then(async () => {
        await this.sendPending();
      })
      .catch((err) => {
        this.deps.logger.error({ err }, 'notification pass failed');
      });
    return this.running;
  }

  async sendPending(): Promise<number> {
    const { entries } = await this.deps.store.list(
      this.deps.keys.notifications.prefix,
      Notification,
      (key, err) => this.deps.logger.error({ key, err }, 'invalid notification; not sent'),
    );
    let sent = 0;
    for (const entry of entries) {
      try {
        if (await this.sendOne(entry)) sent++;
      } catch (err) {
        // etcd away: the pass ends, the next one starts over. Else this one's own
        // records (its project, its owner) are at fault: the others still go out.
        if (isStoreFault(err)) throw err;
        this.deps.logger.error({ err, id: entry.value.id }, 'notification failed; next pass');
      }
    }
    return sent;
  }

  private async sendOne(entry: Entry<Notification>): Promise<boolean> {
    const n = entry.value;
    const recipient = await projectRecipient(this.deps.store, this.deps.keys, n.projectId);
    if (!recipient?.email) {
      this.deps.logger.info(
        { id: n.id, project: n.projectId },
        'no e-mail address for the project owner; dropped',
      );
      await this.remove(entry);
      return false;
    }
    const vars = { ...n.vars, projectName: recipient.projectName, region: this.deps.region };
    const mail = render(this.deps.templates[n.template], vars);
    try {
      await this.deps.transport.sendMail({
        from: this.deps.from,
        to: recipient.email,
        subject: mail.subject,
        text: mail.text,
        // Stable across retries, so a resend after a crash can be recognised.
        messageId: `<${n.id}@${this.deps.region}.nubo>`,
      });
    } catch (err) {
      await this.recordFailure(entry, err);
      return false;
    }
    await this.remove(entry);
    this.deps.logger.info({ id: n.id, template: n.template }, 'notification sent');
    return true;
  }

  private async recordFailure(entry: Entry<Notification>, err: unknown): Promise<void> {
    const attempts = entry.value.attempts + 1;
    const message = err instanceof Error ? err.message : String(err);
    this.deps.logger.warn({ id: entry.value.id, attempts, error: message }, 'notification not sent');
    if (attempts >= (this.deps.maxAttempts ?? 10)) {
      this.deps.logger.error({ id: entry.value.id }, 'notification dropped after too many attempts');
      await this.remove(entry);
      return;
    }
    const next: Notification = { ...entry.value, attempts, lastError: message.slice(0, 1024) };
    await this.deps.store
      .txn()
      .compare(entry.key, entry.modRevision)
      .put(entry.key, next)
      .commit()
      .catch(() => {});
  }

  private async remove(entry: Entry<Notification>): Promise<void> {
    await this.deps.store
      .txn()
      .compare(entry.key, entry.modRevision)
      .delete(entry.key)
      .commit()
      .catch(() => {});
  }
}
