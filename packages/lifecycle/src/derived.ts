import type { BomLine, BomMovement, Event } from '@nubo/shared';

/** The notification templates; each is a file `<name>.txt` (see notify/templates.ts). */
export const TEMPLATES = ['build-succeeded', 'build-failed', 'delete-scheduled', 'vpn-changed'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

/**
 * A notification to send: only the named variables reach the template, and
 * each source chooses them from fields that are never secret (a VM's
 * user-data, a tunnel's PSK, tokens are never among them).
 */
export interface NotificationDraft {
  template: TemplateName;
  vars: Record<string, string>;
}

/** An event before it has its key: the watcher numbers it by revision. */
export type EventDraft = Omit<Event, 'id' | 'projectId' | 'revision' | 'resourceType' | 'resourceId'>;

/** What one observed change of one resource leads to. */
export interface Derived {
  projectId: string;
  resourceType: Event['resourceType'];
  resourceId: string;
  resourceName?: string;
  events: EventDraft[];
  /** The new BOM level from `time` on, when it changed. */
  bom?: { time: string; state: string; lines: BomLine[]; resourceType: BomMovement['resourceType'] };
  notifications: NotificationDraft[];
}

/** Turns the record before and after one revision (either may be absent) into what follows from it. */
export type Deriver<T> = (before: T | undefined, after: T | undefined, now: Date) => Derived | undefined;

export function isEmpty(d: Derived | undefined): boolean {
  return !d || (d.events.length === 0 && !d.bom && d.notifications.length === 0);
}
